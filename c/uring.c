// ringann's thin wrapper over liburing, loaded from TypeScript through bun:ffi.
//
// Rules (CONTRIBUTING.md): batch calls only — one call queues every staged read, submits,
// waits and reaps; nothing is allocated per operation; errors come back as negative errno; C never
// calls back into JavaScript. File offsets travel as doubles (exact below 2^53) so TypeScript needs no
// BigInt on the hot path.
//
// The read records: a reader binds, once, its per-slot arrays (file offset, length) and its staging
// and completion lists, all in C-owned memory (src/io/native-block.ts). A read is named by its slot
// everywhere: the slot is the SQE's user_data and comes back in the CQE (TigerBeetle's Completion:
// one record per operation, its address carried through the kernel). rn_exchange then needs only
// scalars: how many staged, how many completions to wait for, how many to copy out.
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
  int sqpoll;
  int defer;               // IORING_SETUP_DEFER_TASKRUN: completions are posted only when we enter
  // Bound by rn_ring_bind (C-owned memory shared with TypeScript); NULL until then.
  const double *slot_offset;
  const uint32_t *slot_length;
  const int32_t *staged;
  uint32_t *out_slot;
  int32_t *out_res;
  double *counters;        // see RN_COUNT_*
  char *slot_base;         // slot s reads into slot_base + s * slot_bytes
  uint32_t slot_bytes;
  uint32_t slot_count;
} rn_ring;

// counters[] written by rn_exchange, read by TypeScript whenever it likes (no call needed).
enum {
  RN_COUNT_ENTER = 0,      // io_uring_enter system calls made (SQPOLL: calls that may have entered)
  RN_COUNT_SUBMITTED = 1,  // reads handed to the kernel
  RN_COUNT_WAITS = 2,      // system calls that waited for completions
  RN_COUNT_REAPED = 3,     // completions copied out
  RN_COUNT_FREE_REAPS = 4, // rn_exchange calls that found their completions already in the ring
  RN_COUNTERS = 8
};

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

// flags bit 0: SQPOLL; bit 1: DEFER_TASKRUN (+ SINGLE_ISSUER). Returns NULL and sets *err (negative errno) on failure.
void *rn_ring_create(uint32_t depth, uint32_t flags, int32_t *err) {
  rn_ring *r = calloc(1, sizeof(rn_ring));
  if (!r) { *err = -ENOMEM; return NULL; }
  struct io_uring_params p;
  memset(&p, 0, sizeof p);
  if (flags & 1) { p.flags |= IORING_SETUP_SQPOLL; p.sq_thread_idle = 2000; }
  if (flags & 2) p.flags |= IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN;
  int ret = io_uring_queue_init_params(depth, &r->ring, &p);
  if (ret < 0) { free(r); *err = ret; return NULL; }
  r->sqpoll = (flags & 1) != 0;
  r->defer = (flags & 2) != 0;
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

// Binds the reader's record table (see the header). Every array must stay valid until destroy.
int32_t rn_ring_bind(void *handle, const double *slot_offset, const uint32_t *slot_length, const int32_t *staged,
                     uint32_t *out_slot, int32_t *out_res, double *counters, void *slot_base, uint32_t slot_bytes,
                     uint32_t slot_count) {
  rn_ring *r = handle;
  if (r->nfiles < 1) return -EBADF;
  r->slot_offset = slot_offset;
  r->slot_length = slot_length;
  r->staged = staged;
  r->out_slot = out_slot;
  r->out_res = out_res;
  r->counters = counters;
  r->slot_base = slot_base;
  r->slot_bytes = slot_bytes;
  r->slot_count = slot_count;
  memset(counters, 0, RN_COUNTERS * sizeof(double));
  return 0;
}

// One call per batch: queues the reads of slots staged[0..n) (file 0), then makes at most one
// io_uring_enter — none when nothing was staged and the ring already holds min_wait completions —
// that submits them and, when the ring holds fewer than min_wait, waits; then copies up to max
// completions (slot, result) into the bound lists. Returns how many were copied, or a negative
// errno (EINTR is retried; EAGAIN/EBUSY leave the reads queued for the next call).
// `poll` (non-zero) on a ring with deferred task work and nothing else to do: enter once to post the
// completions that are ready (they are not posted otherwise, and a polling loop would never see them);
// zero: look at the ring only (no system call).
int32_t rn_exchange(void *handle, uint32_t n, uint32_t min_wait, uint32_t max, uint32_t poll) {
  rn_ring *r = handle;
  if (r->staged == NULL) return -EINVAL;
  int fd = r->files_registered ? 0 : r->fds[0];
  for (uint32_t i = 0; i < n; i++) {
    uint32_t slot = (uint32_t)r->staged[i];
    if (slot >= r->slot_count) return -EINVAL;
    struct io_uring_sqe *sqe = io_uring_get_sqe(&r->ring);
    if (!sqe) return -EBUSY;  // the ring has one SQ entry per slot: cannot happen
    char *buf = r->slot_base + (uint64_t)slot * r->slot_bytes;
    uint64_t off = (uint64_t)r->slot_offset[slot];
    if (r->arena) io_uring_prep_read_fixed(sqe, fd, buf, r->slot_length[slot], off, 0);
    else io_uring_prep_read(sqe, fd, buf, r->slot_length[slot], off);
    if (r->files_registered) sqe->flags |= IOSQE_FIXED_FILE;
    io_uring_sqe_set_data64(sqe, slot);
    r->queued++;
  }
  double *c = r->counters;
  unsigned ready = io_uring_cq_ready(&r->ring);
  uint32_t wait = min_wait > ready ? min_wait : 0;
  if (r->queued > 0 || wait > 0) {
    int ret;
    for (;;) {
      ret = wait > 0 ? io_uring_submit_and_wait(&r->ring, wait) : io_uring_submit(&r->ring);
      c[RN_COUNT_ENTER] += 1;
      if (ret == -EINTR) continue;
      break;
    }
    if (wait > 0) c[RN_COUNT_WAITS] += 1;
    if (ret >= 0) { c[RN_COUNT_SUBMITTED] += r->queued; r->queued = 0; }
    else if (ret != -EAGAIN && ret != -EBUSY) return ret;
  } else if (min_wait > 0) {
    c[RN_COUNT_FREE_REAPS] += 1;
  } else if (poll && r->defer && ready == 0) {
    int ret;
    do ret = io_uring_get_events(&r->ring); while (ret == -EINTR);
    c[RN_COUNT_ENTER] += 1;
    if (ret < 0 && ret != -EAGAIN && ret != -EBUSY) return ret;
  }
  uint32_t count = 0;
  unsigned head;
  struct io_uring_cqe *cqe;
  io_uring_for_each_cqe(&r->ring, head, cqe) {
    if (count == max) break;
    r->out_slot[count] = (uint32_t)io_uring_cqe_get_data64(cqe);
    r->out_res[count] = cqe->res;
    count++;
  }
  io_uring_cq_advance(&r->ring, count);
  c[RN_COUNT_REAPED] += count;
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
