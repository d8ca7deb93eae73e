import type { SerialPortStream } from '@serialport/stream';

/**
 * Notice a serial port's hang-up (USB unplug, the far end of a pty closed)
 * whatever the read path is doing at that moment.
 *
 * Why this exists: after a hang-up Linux makes every read() of the tty return
 * 0 bytes. @serialport/bindings-cpp 13.0.x `unixRead` retries a 0-byte read at
 * once, forever (bindings-cpp issue #162; the fix is on its main branch,
 * unreleased as of 13.0.1), so the stream never sees an error and the port
 * stays "open": the kiosk would call a dead scanner connected. The binding's
 * own hang-up report only comes from its poller, and the poller watches the fd
 * only while a read waits for data (EAGAIN). Unplugged while idle, that read
 * is waiting and the hang-up (POLLERR) is reported; unplugged while a scan is
 * flowing, reads succeed without waiting, the fd is watched by nobody, and the
 * next read starts the 0-byte loop.
 *
 * So we keep our own subscription to the poller's 'disconnect' event for as
 * long as the port is open: epoll reports POLLERR/POLLHUP of a watched fd
 * whatever else is asked, so the hang-up is seen within one event-loop turn,
 * and closing the port then ends the binding's read loop (it checks isOpen).
 * Once bindings-cpp returns 0-byte reads, @serialport/stream ends the stream
 * instead ('end'), which is the same hang-up and is handled the same way.
 */
export function watchHangup(port: SerialPortStream, onHangup: (err: Error) => void): () => void {
  let armed = true;
  const fire = (why: string): void => {
    if (!armed) return;
    armed = false;
    onHangup(new Error(`port ${port.path} hung up (${why})`));
  };
  const onEnd = (): void => fire('end of input');
  port.once('end', onEnd);
  pollerOf(port)?.once('disconnect', (err) => {
    // the binding cancels its poller's waiters when the port is closed
    if (!isCanceled(err)) fire(err ? err.message : 'disconnect');
  });
  return () => {
    armed = false;
    port.removeListener('end', onEnd);
  };
}

interface HangupPoller {
  once(event: 'disconnect', cb: (err: Error | null) => void): unknown;
}

/** The unix bindings (Linux, macOS) carry a poller; the mock and Windows do not. */
function pollerOf(port: SerialPortStream): HangupPoller | undefined {
  const poller = (port.port as { poller?: unknown } | undefined)?.poller;
  return poller !== null && typeof poller === 'object' && typeof (poller as { once?: unknown }).once === 'function'
    ? (poller as HangupPoller)
    : undefined;
}

function isCanceled(err: Error | null): boolean {
  return err !== null && (err as { canceled?: unknown }).canceled === true;
}
