import assert from 'node:assert/strict';
import { familyOf, makedev, parseMountInfo, parseMountLine, unescapeMountField, volumesOf } from '../../../drivers/volume/mountinfo.js';

const TABLE = [
  '22 1 179:2 / / rw,noatime shared:1 - ext4 /dev/root rw',
  '36 22 8:1 / /media/usb-sda1 rw,nosuid,nodev,relatime shared:83 - vfat /dev/sda1 rw,uid=999,gid=999,fmask=0077,dmask=0077,codepage=437,iocharset=ascii,shortname=mixed,errors=remount-ro',
  // two optional fields, an escaped space in the mount point
  '37 22 8:17 / /media/My\\040Stick rw,relatime shared:84 master:2 - exfat /dev/sdb1 rw,uid=999',
  // exfat-fuse: fuseblk; mounted read-only
  '38 22 0:45 / /run/media/kiosk/CARD ro,nosuid,nodev - fuseblk /dev/sdc1 rw,user_id=0,group_id=0,allow_other',
  // read-only in the superblock options only
  '39 22 8:33 / /mnt/backup rw,relatime - ext4 /dev/sdd1 ro',
  // not under a root, and a family we do not write
  '40 22 8:49 / /srv/data rw - ext4 /dev/sde1 rw',
  '41 22 0:50 / /media/iso rw - iso9660 /dev/sr0 ro',
  '42 22 8:65 / /media/old rw - msdos /dev/sdf1 rw',
].join('\n');

describe('volume/mountinfo', () => {
  it('parses every field, with optional fields and octal escapes', () => {
    const [root, stick, spaced] = parseMountInfo(TABLE);
    assert.deepEqual(root, {
      mountId: 22,
      parentId: 1,
      major: 179,
      minor: 2,
      root: '/',
      mountPoint: '/',
      options: ['rw', 'noatime'],
      optional: ['shared:1'],
      fsType: 'ext4',
      source: '/dev/root',
      superOptions: ['rw'],
    });
    assert.equal(stick?.superOptions.includes('shortname=mixed'), true);
    assert.equal(spaced?.mountPoint, '/media/My Stick');
    assert.deepEqual(spaced?.optional, ['shared:84', 'master:2']);
  });

  it('undoes the four escapes the kernel writes', () => {
    assert.equal(unescapeMountField('a\\040b\\011c\\012d\\134e'), 'a b\tc\nd\\e');
    assert.equal(unescapeMountField('no\\escape'), 'no\\escape');
  });

  it('skips lines that do not parse instead of failing the table', () => {
    for (const bad of ['', 'garbage', '1 2 3:4 / /x rw', '1 2 x:y / /x rw - ext4 /dev/a rw', 'a 2 3:4 / /x rw - ext4 /dev/a rw']) {
      assert.equal(parseMountLine(bad), undefined, bad);
    }
    assert.equal(parseMountInfo('garbage\n' + TABLE + '\n\n').length, 8);
  });

  it('knows FAT, exFAT (kernel and FUSE) and ext, and nothing else', () => {
    const cases: [string, string | undefined][] = [
      ['vfat', 'fat'],
      ['fuse.fusefat', 'fat'],
      ['exfat', 'exfat'],
      ['fuseblk', 'exfat'],
      ['fuse.exfat', 'exfat'],
      ['ext2', 'ext'],
      ['ext3', 'ext'],
      ['ext4', 'ext'],
      ['msdos', undefined],
      ['ntfs3', undefined],
      ['iso9660', undefined],
      ['tmpfs', undefined],
    ];
    for (const [type, family] of cases) assert.equal(familyOf(type), family, type);
  });

  it('keeps the known families under the roots, with read-only from either option list', () => {
    const vols = volumesOf(parseMountInfo(TABLE), { roots: ['/media', '/run/media', '/mnt'] });
    assert.deepEqual(
      vols.map((v) => [v.id, v.mountPoint, v.family, v.readOnly]),
      [
        ['36', '/media/usb-sda1', 'fat', false],
        ['37', '/media/My Stick', 'exfat', false],
        ['38', '/run/media/kiosk/CARD', 'exfat', true],
        ['39', '/mnt/backup', 'ext', true],
      ],
    );
    assert.equal(vols[0]?.dev, makedev(8, 1));
  });

  it('matches roots on path segments, takes a root itself, and ignores a mount that holds an excluded path', () => {
    const table = ['50 22 8:1 / /mediax rw - vfat /dev/sda1 rw', '51 22 8:2 / /mnt rw - vfat /dev/sda2 rw', '52 22 8:3 / /media/k rw - ext4 /dev/sda3 rw'].join('\n');
    const vols = volumesOf(parseMountInfo(table), { roots: ['/media/', '/mnt'], exclude: ['/media/k/var/lib/coupon-kiosk'] });
    assert.deepEqual(vols.map((v) => v.mountPoint), ['/mnt']);
  });

  it('sees only the top mount where two share a mount point', () => {
    const table = ['60 22 8:1 / /media/s rw - vfat /dev/sda1 rw', '61 60 8:2 / /media/s rw - ext4 /dev/sdb1 rw'].join('\n');
    assert.deepEqual(volumesOf(parseMountInfo(table), { roots: ['/media'] }).map((v) => v.id), ['61']);
    const hidden = ['60 22 8:1 / /media/s rw - vfat /dev/sda1 rw', '61 60 0:9 / /media/s rw - tmpfs tmpfs rw'].join('\n');
    assert.deepEqual(volumesOf(parseMountInfo(hidden), { roots: ['/media'] }), []);
  });

  it("encodes st_dev like glibc's makedev", () => {
    assert.equal(makedev(8, 1), 0x801);
    assert.equal(makedev(0, 45), 45);
    assert.equal(makedev(259, 300), 0x10300 + 0x2c + 0x100000); // minor > 255 goes to bits 20..
    assert.equal(makedev(0x1234, 0), 0x234 * 0x100 + 2 ** 44); // major > 4095 goes to bits 44..
  });
});
