// WASI preview 1 imports. AssemblyScript names the import module after this file, so these
// declarations import from `wasi_snapshot_preview1` without decorators (which plain TS tools reject).

export declare function fd_write(fd: u32, iovs: usize, iovsLen: u32, nwritten: usize): u16
export declare function fd_read(fd: u32, iovs: usize, iovsLen: u32, nread: usize): u16
export declare function args_sizes_get(argc: usize, argvBufSize: usize): u16
export declare function args_get(argv: usize, argvBuf: usize): u16
export declare function proc_exit(code: u32): void
export declare function path_open(
  fd: u32,
  dirflags: u32,
  path: usize,
  pathLen: u32,
  oflags: u32,
  rightsBase: u64,
  rightsInh: u64,
  fdflags: u32,
  outFd: usize,
): u16
export declare function environ_sizes_get(count: usize, bufSize: usize): u16
export declare function fd_prestat_get(fd: u32, out: usize): u16
