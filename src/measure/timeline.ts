/**
 * A load run over time: its outcomes counted by when they ended, in at most `timelineBuckets`
 * buckets of one width. The width comes from the run's planned length where it has one, and
 * doubles (neighbouring buckets merge) whenever the run outlasts the buckets, so a run of a
 * million requests keeps the same few arrays as one of a hundred.
 *
 * Each bucket keeps its latencies as counts in bins, 8 per doubling (an HDR histogram's
 * layout: the float's exponent and its top three mantissa bits), so its percentiles are within
 * ±6.25% and two buckets merge by adding their counts. Reading the bits instead of taking a
 * logarithm halves what a bucket costs per outcome (a synchronous function target runs about
 * four million outcomes a second, where every nanosecond shows).
 */

/** The most buckets a timeline holds. */
export const timelineBuckets = 120

/** The bucket width of a run without a planned length, until it outlasts the buckets. */
const unplannedBucketMs = 10
/** A planned run fills this many buckets, leaving room for what ends after the plan (in-flight timeouts). */
const plannedFill = 100

/** Mantissa bits that split an octave: 3, so 8 bins per doubling. */
const mantissaBits = 3
const binsPerOctave = 2 ** mantissaBits
/** The first bin starts at 2^-20 ms (about 1 ns: a synchronous function can take less than a µs); shorter latencies fall in it. */
const firstOctave = -20
/** The last bin ends at 2^21 ms (about 35 min); longer latencies fall in it. */
const latencyBins = 41 * binsPerOctave

/** Latency of the successes that ended in one bucket, in ms (percentiles within ±6.25%). */
export interface BucketLatency {
  readonly p50: number
  readonly p95: number
  /** Exact. */
  readonly max: number
  /** Exact. */
  readonly mean: number
}

/** Outcomes that ended in one stretch of a load run. */
export interface TimelineBucket {
  /** Start of the bucket, ms since the run started. */
  readonly startMs: number
  /** Requests that ended in the bucket, successes and failures (arrivals dropped unsent included). */
  readonly completed: number
  readonly failures: number
  /** Latency of the successes that ended in the bucket (null when none did). */
  readonly latency: BucketLatency | null
}

/** A load run over time, from its start to its end, in buckets of `bucketMs`. */
export interface LoadTimeline {
  /** Width of every bucket in ms (the last one may be cut short by the end of the run). */
  readonly bucketMs: number
  readonly buckets: readonly TimelineBucket[]
}

/** The high 32 bits of a float64 (sign, 11 exponent bits, 20 mantissa bits) with the exponent's bias and the first octave taken off. */
const firstBinBits = (1023 + firstOctave) * binsPerOctave

/** The middle of a latency bin: bin `b` spans 2^e × [1 + s/8, 1 + (s+1)/8) with e = b/8 + firstOctave and s = b mod 8. */
function binMiddle(bin: number): number {
  return 2 ** (Math.floor(bin / binsPerOctave) + firstOctave) * (1 + ((bin % binsPerOctave) + 0.5) / binsPerOctave)
}

/** Collects a load run's timeline in fixed memory; `add` is called once per outcome. */
export class TimelineRecorder {
  private bucketMs: number
  /** The last bucket anything ended in. */
  private lastBucket = -1
  private readonly completed = new Float64Array(timelineBuckets)
  private readonly failures = new Float64Array(timelineBuckets)
  private readonly latencySum = new Float64Array(timelineBuckets)
  private readonly latencyMax = new Float64Array(timelineBuckets)
  /** Row `bucket`, column `bin`: successes of the bucket with a latency in the bin. */
  private readonly latencyCounts = new Uint32Array(timelineBuckets * latencyBins)
  /** A float64 and its two 32-bit words, to read a latency's exponent and top mantissa bits. */
  private readonly float = new Float64Array(1)
  private readonly words = new Uint32Array(this.float.buffer)
  /** Which word holds the exponent: 1 on little-endian machines. */
  private readonly highWord = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0

  /**
   * @param origin the run's start, a `performance.now()` time
   * @param plannedMs how long the run is planned to last, where its options fix it
   */
  constructor(
    private readonly origin: number,
    plannedMs: number | undefined,
  ) {
    this.bucketMs = plannedMs === undefined ? unplannedBucketMs : Math.max(1, plannedMs / plannedFill)
  }

  /** One outcome that ended at `now` (a `performance.now()` time). */
  add(now: number, latencyMs: number, success: boolean): void {
    let bucket = Math.floor((now - this.origin) / this.bucketMs)
    if (bucket >= timelineBuckets) bucket = this.widen(now)
    else if (bucket < 0) bucket = 0
    if (bucket > this.lastBucket) this.lastBucket = bucket
    this.completed[bucket] = (this.completed[bucket] as number) + 1
    if (!success) {
      this.failures[bucket] = (this.failures[bucket] as number) + 1
      return
    }
    this.latencySum[bucket] = (this.latencySum[bucket] as number) + latencyMs
    if (latencyMs > (this.latencyMax[bucket] as number)) this.latencyMax[bucket] = latencyMs
    const cell = bucket * latencyBins + this.latencyBin(latencyMs)
    this.latencyCounts[cell] = (this.latencyCounts[cell] as number) + 1
  }

  private latencyBin(latencyMs: number): number {
    if (!(latencyMs > 0)) return 0
    this.float[0] = latencyMs
    const bin = ((this.words[this.highWord] as number) >>> (20 - mantissaBits)) - firstBinBits
    return bin < 0 ? 0 : bin >= latencyBins ? latencyBins - 1 : bin
  }

  /** Doubles the width (merging neighbours) until `now` falls in a bucket; returns that bucket. */
  private widen(now: number): number {
    let bucket = Math.floor((now - this.origin) / this.bucketMs)
    while (bucket >= timelineBuckets) {
      // Bucket i takes buckets 2i and 2i+1; reading ahead of writing, so it can be done in place.
      for (let target = 0; target < timelineBuckets; target++) {
        const left = 2 * target
        const right = left + 1
        if (left >= timelineBuckets) {
          this.clear(target)
          continue
        }
        this.completed[target] = (this.completed[left] as number) + (this.completed[right] as number)
        this.failures[target] = (this.failures[left] as number) + (this.failures[right] as number)
        this.latencySum[target] = (this.latencySum[left] as number) + (this.latencySum[right] as number)
        this.latencyMax[target] = Math.max(this.latencyMax[left] as number, this.latencyMax[right] as number)
        for (let bin = 0; bin < latencyBins; bin++) {
          this.latencyCounts[target * latencyBins + bin] =
            (this.latencyCounts[left * latencyBins + bin] as number) + (this.latencyCounts[right * latencyBins + bin] as number)
        }
      }
      this.bucketMs *= 2
      this.lastBucket = Math.floor(this.lastBucket / 2)
      bucket = Math.floor((now - this.origin) / this.bucketMs)
    }
    return bucket
  }

  private clear(bucket: number): void {
    this.completed[bucket] = 0
    this.failures[bucket] = 0
    this.latencySum[bucket] = 0
    this.latencyMax[bucket] = 0
    this.latencyCounts.fill(0, bucket * latencyBins, (bucket + 1) * latencyBins)
  }

  /** The timeline from the start to `end` (a `performance.now()` time, the run's end). */
  timeline(end: number): LoadTimeline {
    const endBucket = Math.min(timelineBuckets - 1, Math.max(0, Math.ceil((end - this.origin) / this.bucketMs) - 1))
    const last = Math.max(this.lastBucket, endBucket)
    const buckets: TimelineBucket[] = []
    for (let bucket = 0; bucket <= last; bucket++) {
      const completed = this.completed[bucket] as number
      const failures = this.failures[bucket] as number
      buckets.push({ startMs: bucket * this.bucketMs, completed, failures, latency: this.bucketLatency(bucket, completed - failures) })
    }
    return { bucketMs: this.bucketMs, buckets }
  }

  private bucketLatency(bucket: number, successes: number): BucketLatency | null {
    if (successes === 0) return null
    const max = this.latencyMax[bucket] as number
    const row = bucket * latencyBins
    // The bin that holds the value of rank ceil(q × n), reported as its middle (never past the max).
    const quantile = (q: number): number => {
      const rank = Math.max(1, Math.ceil(q * successes))
      let seen = 0
      for (let bin = 0; bin < latencyBins; bin++) {
        seen += this.latencyCounts[row + bin] as number
        if (seen >= rank) return Math.min(max, binMiddle(bin))
      }
      return max
    }
    return { p50: quantile(0.5), p95: quantile(0.95), max, mean: (this.latencySum[bucket] as number) / successes }
  }
}
