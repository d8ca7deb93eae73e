/** Problems with the kiosk home directory, each naming the file and the fix. */
export class HomeError extends Error {
  constructor(
    readonly code:
      | 'HOME_NOT_FOUND'
      | 'CONFIG_UNREADABLE'
      | 'TRUST_INVALID'
      | 'KEY_PERMISSIONS'
      | 'KEY_INVALID'
      | 'KID_MISMATCH'
      | 'PROVISION_INVALID'
      | 'ENROLLMENT_INVALID'
      | 'PLATFORM_CONFLICT',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'HomeError';
  }
}
