/* SPDX-License-Identifier: Apache-2.0 */
/*
 * HdrHistogram's counts-array index, computed in the kernel so that user space can
 * rebuild an org.HdrHistogram.Histogram(2 significant digits) without loss.
 * Java twin: probes/.../metrics/LatencyHistograms.java (tested against HdrHistogram itself).
 */
#ifndef HDR_INDEX_H
#define HDR_INDEX_H

#include <linux/types.h>
#include "kerneltrace.h"

/* floor(log2(v)) for v > 0, with shifts: clang 14 crashes on __builtin_clzll for BPF. */
static __always_inline __u32 log2_u64(__u64 v)
{
	__u32 r = 0, shift;

	shift = (v > 0xFFFFFFFFull) << 5; v >>= shift; r |= shift;
	shift = (v > 0xFFFFull) << 4;     v >>= shift; r |= shift;
	shift = (v > 0xFFull) << 3;       v >>= shift; r |= shift;
	shift = (v > 0xFull) << 2;        v >>= shift; r |= shift;
	shift = (v > 0x3ull) << 1;        v >>= shift; r |= shift;
	return r | (__u32)(v >> 1);
}

static __always_inline __u16 hdr_index(__u64 value)
{
	const __u32 half = 1u << HDR_SUB_BUCKET_HALF_MAGNITUDE;
	/* bucket 0 holds 0..255 exactly; bucket b >= 1 holds 128..255 shifted left by b */
	__u32 bucket = log2_u64(value | (2 * half - 1)) - HDR_SUB_BUCKET_HALF_MAGNITUDE;
	__u32 sub_bucket = (__u32)(value >> bucket);

	return (__u16)(((bucket + 1) << HDR_SUB_BUCKET_HALF_MAGNITUDE) + sub_bucket - half);
}

#endif
