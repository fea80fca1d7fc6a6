#pragma once
// Process-wide allocator settings. glibc mmaps every block above its dynamic threshold
// (capped at 32 MiB) and page-faults it in again on each use; training activations and
// page-sized image buffers hit this on every step, which costs up to 2x. Call once at
// the start of main (the CLI and the benches do).

namespace ecg {

/// Keeps large blocks on the heap (mmap threshold 1 GiB, no trimming, 256 MiB top pad).
void tune_allocator();

}  // namespace ecg
