// ringann's thin wrapper over liburing, loaded from TypeScript through bun:ffi.
//
// Rules (CONTRIBUTING.md): batch calls only — queue N reads in one call, reap up to N
// completions into caller-provided arrays in one call; nothing is allocated per operation; errors
// come back as negative errno; C never calls back into JavaScript. File offsets travel as doubles
// (exact below 2^53) so TypeScript needs no BigInt on the hot path.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#define RN_MAX_FILES 16

typedef struct rn_ring {
  struct io_uring ring;
  int fds[RN_MAX_FILES];   // registered as fixed files; index is the file index
  int nfiles;
  int files_registered;    // 1 when fds are kernel-registered (IOSQE_FIXED_FILE)
  char *arena;             // registered buffer region (one iovec), or NULL
  uint64_t arena_bytes;
  unsigned queued;         // SQEs prepared but not yet submitted
} rn_ring;

// ---- memory ---------------------------------------------------------------------------------

void *rn_alloc_aligned(double bytes, uint32_t align) {
  void *p = NULL;
  if (posix_memalign(&p, align, (size_t)bytes) != 0) return NULL;
  memset(p, 0, (size_t)bytes);
  return p;
}

void rn_free(void *p) { free(p); }

// ---- files ----------------------------------------------------------------------------------

int32_t rn_open(const char *path, int32_t direct) {
  int flags = O_RDONLY | O_CLOEXEC | (direct ? O_DIRECT : 0);
  int fd;
  do fd = open(path, flags); while (fd < 0 && errno == EINTR);
  return fd < 0 ? -errno : fd;
}

int32_t rn_close(int32_t fd) { return close(fd) < 0 ? -errno : 0; }

double rn_file_size(int32_t fd) {
  struct stat st;
  if (fstat(fd, &st) < 0) return -(double)errno;
  return (double)st.st_size;
}

// One synchronous read; EINTR is retried here, short reads are the caller's to judge.
int32_t rn_pread(int32_t fd, void *buf, uint32_t length, double offset) {
  ssize_t n;
  do n = pread(fd, buf, length, (off_t)offset); while (n < 0 && errno == EINTR);
  return n < 0 ? -errno : (int32_t)n;
}

// ---- ring lifecycle -------------------------------------------------------------------------

// flags bit 0: SQPOLL. Returns NULL and sets *err (negative errno) on failure.
void *rn_ring_create(uint32_t depth, uint32_t flags, int32_t *err) {
  rn_ring *r = calloc(1, sizeof(rn_ring));
  if (!r) { *err = -ENOMEM; return NULL; }
  struct io_uring_params p;
  memset(&p, 0, sizeof p);
  if (flags & 1) { p.flags |= IORING_SETUP_SQPOLL; p.sq_thread_idle = 2000; }
  int ret = io_uring_queue_init_params(depth, &r->ring, &p);
  if (ret < 0) { free(r); *err = ret; return NULL; }
  *err = 0;
  return r;
}

void rn_ring_destroy(void *handle) {
  rn_ring *r = handle;
  if (!r) return;
  io_uring_queue_exit(&r->ring);  // also drops registered files and buffers
  free(r);
}

// Adds fd as the next file index (returned). Registration is attempted; without it reads still
// work through the plain fd.
int32_t rn_add_file(void *handle, int32_t fd) {
  rn_ring *r = handle;
  if (r->nfiles >= RN_MAX_FILES) return -EMFILE;
  r->fds[r->nfiles] = fd;
  int index = r->nfiles++;
  if (r->files_registered) io_uring_unregister_files(&r->ring);
  r->files_registered = io_uring_register_files(&r->ring, r->fds, (unsigned)r->nfiles) == 0;
  return index;
}

int32_t rn_files_registered(void *handle) { return ((rn_ring *)handle)->files_registered; }

// Registers one region as fixed buffer 0; reads into it then use READ_FIXED (no per-read page pinning).
int32_t rn_register_arena(void *handle, void *base, double bytes) {
  rn_ring *r = handle;
  struct iovec iov = { .iov_base = base, .iov_len = (size_t)bytes };
  int ret = io_uring_register_buffers(&r->ring, &iov, 1);
  if (ret < 0) return ret;
  r->arena = base;
  r->arena_bytes = (uint64_t)bytes;
  return 0;
}

// ---- the batch calls ------------------------------------------------------------------------

// Queues n reads; read i goes from file file_index[i] at offset[i], length[i] bytes, into
// base + buf_offset[i] (base = the registered arena, or the address passed when none is registered),
// tagged user_data[i]. Returns how many were queued (fewer when the SQ is full).
int32_t rn_queue_reads(void *handle, uint32_t n, const int32_t *file_index, const double *offset,
                       const uint32_t *length, const double *buf_offset, const uint32_t *user_data,
                       void *base) {
  rn_ring *r = handle;
  char *b = r->arena ? r->arena : base;
  uint32_t i;
  for (i = 0; i < n; i++) {
    int fi = file_index[i];
    if (fi < 0 || fi >= r->nfiles) return i > 0 ? (int32_t)i : -EBADF;
    struct io_uring_sqe *sqe = io_uring_get_sqe(&r->ring);
    if (!sqe) break;
    char *buf = b + (uint64_t)buf_offset[i];
    if (r->arena) {
      io_uring_prep_read_fixed(sqe, r->files_registered ? fi : r->fds[fi], buf, length[i], (uint64_t)offset[i], 0);
    } else {
      io_uring_prep_read(sqe, r->files_registered ? fi : r->fds[fi], buf, length[i], (uint64_t)offset[i]);
    }
    if (r->files_registered) sqe->flags |= IOSQE_FIXED_FILE;
    io_uring_sqe_set_data64(sqe, user_data[i]);
    r->queued++;
  }
  return (int32_t)i;
}

// Submits what is queued (one syscall), optionally waiting until at least min_wait completions are
// ready, then copies up to max completions into user_data_out/res_out and marks them seen.
// Returns the number copied, or a negative errno from the kernel (EINTR is retried here).
int32_t rn_submit_and_reap(void *handle, uint32_t max, uint32_t min_wait, uint32_t *user_data_out,
                           int32_t *res_out) {
  rn_ring *r = handle;
  int ret = 0;
  if (r->queued > 0 || min_wait > 0) {
    for (;;) {
      ret = min_wait > 0 ? io_uring_submit_and_wait(&r->ring, min_wait) : io_uring_submit(&r->ring);
      if (ret == -EINTR) continue;
      break;
    }
    if (ret >= 0) r->queued = 0;
    else if (ret != -EAGAIN && ret != -EBUSY) return ret;
  }
  uint32_t count = 0;
  unsigned head;
  struct io_uring_cqe *cqe;
  io_uring_for_each_cqe(&r->ring, head, cqe) {
    if (count == max) break;
    user_data_out[count] = (uint32_t)io_uring_cqe_get_data64(cqe);
    res_out[count] = cqe->res;
    count++;
  }
  io_uring_cq_advance(&r->ring, count);
  return (int32_t)count;
}

// ---- probe ----------------------------------------------------------------------------------

// Creates a ring and round-trips one NOP. 0 when io_uring works, else the negative errno of the
// step that failed (the TypeScript side turns it into a reason).
int32_t rn_probe(void) {
  struct io_uring ring;
  int ret = io_uring_queue_init(4, &ring, 0);
  if (ret < 0) return ret;
  struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
  io_uring_prep_nop(sqe);
  ret = io_uring_submit_and_wait(&ring, 1);
  if (ret >= 0) {
    struct io_uring_cqe *cqe;
    ret = io_uring_peek_cqe(&ring, &cqe);
    if (ret == 0) { ret = cqe->res; io_uring_cqe_seen(&ring, cqe); }
  }
  io_uring_queue_exit(&ring);
  return ret < 0 ? ret : 0;
}

// RLIMIT_MEMLOCK soft limit in bytes (-1 = unlimited).
double rn_memlock_limit(void) {
  struct rlimit rl;
  if (getrlimit(RLIMIT_MEMLOCK, &rl) < 0) return -2;
  return rl.rlim_cur == RLIM_INFINITY ? -1 : (double)rl.rlim_cur;
}
