import { dirname } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import type { Context, Histogram, Meter, MeterProvider, Span, TracerProvider } from '@opentelemetry/api'
import type { LoggerProvider } from '@opentelemetry/api-logs'
import createDebug from 'debug'
import { codes, warn } from './errors.js'
import type { BlockEvent } from './events.js'
import type { OtelOptions, ResolvedOptions } from './options.js'
import { loadOtelPeers, type OtelPeers } from './otel-peer.js'
import {
  blockAttributes, blockSummary, factsOf, kBlockEventName, kDurationBuckets, kDurationMetricName, metricAttributes,
} from './otel-attributes.js'
import { interceptEnd, type Intercepted, type StallReader } from './otel-span-end.js'
import { FrameResolver } from './stack.js'
import type { WatcherExtension } from './watch-loop.js'

const debug = createDebug('loopwatch:otel')
/** A span end we intercepted and whose block never came is let go after this long. */
const kInterceptTtlMs = 60_000

/** What the probe hands over to `block()`. */
interface Probed {
  /** The OpenTelemetry context of the blocked code. */
  context: Context
  /** The span active in the blocked code, if any. */
  span: Span | undefined
  /** The span had already ended (or was not recording) when the block was probed. */
  endedBeforeProbe: boolean
  /** Set when the probe intercepted the span's `end()`. */
  intercepted: Intercepted | undefined
}

/**
 * Reports blocks to OpenTelemetry: a `loopwatch.block` event on the span
 * that was active in the blocked code, a histogram of block durations, and
 * optionally a span and a log record per block. Nothing runs between blocks.
 */
export class OtelExtension implements WatcherExtension {
  readonly #peers: OtelPeers
  readonly #otel: Readonly<OtelOptions>
  readonly #options: ResolvedOptions
  readonly #resolver: FrameResolver
  readonly #intercepted = new Set<Intercepted>()
  readonly #histograms = new WeakMap<Meter, Histogram>()
  #warnedEnded = false

  /** Throws `ERR_LOOPWATCH_MISSING_PEER` when the API packages are not installed. */
  constructor(options: ResolvedOptions, peers?: OtelPeers) {
    if (options.otel === false) throw new TypeError('OtelExtension needs the `otel` option')
    this.#otel = options.otel
    this.#options = options
    this.#peers = peers ?? loadOtelPeers(options.otel.logs === true)
    // Used on the main thread, when a span ends during a block: see otel-span-end.ts.
    this.#resolver = new FrameResolver(dirname(fileURLToPath(import.meta.url)), { packageMaps: false })
  }

  /** Runs on top of the blocked code: reads its context, and catches its span's `end()`. */
  probe(stall: StallReader): Probed | undefined {
    try {
      const { api } = this.#peers
      const context = api.context.active()
      const span = api.trace.getSpan(context)
      const probed: Probed = { context, span, endedBeforeProbe: false, intercepted: undefined }
      if (span === undefined) return probed
      if (!span.isRecording()) {
        probed.endedBeforeProbe = this.#sampled(span)
        return probed
      }
      this.#prune()
      probed.intercepted = interceptEnd(span, stall, {
        thresholdMs: this.#options.threshold,
        hangTimeoutMs: this.#options.hangTimeout,
        resolve: (raw) => this.#resolver.resolve(raw),
        record: (facts) => {
          span.addEvent(kBlockEventName, blockAttributes(facts), facts.startTime)
        },
        onError: (error) => {
          this.#fail('adding a block event to an ending span', error)
        },
        done: (intercepted) => {
          this.#intercepted.delete(intercepted)
        },
      })
      this.#intercepted.add(probed.intercepted)
      return probed
    } catch (error) {
      this.#fail('reading the blocked span', error)
      return undefined
    }
  }

  block(event: BlockEvent, probedValue: unknown): void {
    const probed = probedValue as Probed | undefined
    const { api } = this.#peers
    const facts = factsOf(event)
    const seconds = event.duration / 1000
    // The metric first: every block is counted, whatever fails below.
    this.#try('recording the block duration', () => {
      this.#histogram().record(seconds, metricAttributes(facts))
    })
    const attributes = blockAttributes(facts)
    // Until the block is published the span's end() may still fire; from
    // here on this method adds the event itself.
    probed?.intercepted?.release()
    let onSpan = probed?.intercepted?.recorded === true
    const span = probed?.span
    if (span !== undefined && !onSpan && span.isRecording()) {
      onSpan = this.#try('adding a block event to the span', () => {
        span.addEvent(kBlockEventName, attributes, event.startTime)
      })
    }
    const context = probed?.context ?? api.ROOT_CONTEXT
    if (this.#otel.spans === true) {
      this.#try('recording a block span', () => {
        const provider = (this.#otel.tracerProvider as TracerProvider | undefined) ?? api.trace.getTracerProvider()
        const tracer = provider.getTracer('loopwatch', this.#peers.version)
        tracer.startSpan(kBlockEventName, { startTime: event.startTime, attributes, kind: api.SpanKind.INTERNAL }, context)
          .end(event.startTime + event.duration)
      })
    }
    const logs = this.#peers.logs
    if (logs !== undefined) {
      this.#try('emitting a block log record', () => {
        const provider = (this.#otel.loggerProvider as LoggerProvider | undefined) ?? logs.logs.getLoggerProvider()
        provider.getLogger('loopwatch', this.#peers.version).emit({
          eventName: kBlockEventName,
          timestamp: event.startTime,
          severityNumber: logs.SeverityNumber.WARN,
          severityText: 'WARN',
          body: blockSummary(facts),
          attributes,
          context,
        })
      })
    }
    if (!onSpan && span !== undefined && (probed?.endedBeforeProbe === true || (!span.isRecording() && this.#sampled(span)))) {
      debug('block %d: its span %s had already ended', event.id, span.spanContext().spanId)
      if (this.#otel.spans !== true && logs === undefined && !this.#warnedEnded) {
        this.#warnedEnded = true
        warn('loopwatch: a block ran in a span that had already ended, so no `loopwatch.block` span event could be ' +
          'added to it (it is still counted in the loopwatch.block.duration histogram). Set `otel.spans: true` or ' +
          '`otel.logs: true` to record such blocks as spans or log records.', codes.otelSpanEnded)
      }
    }
  }

  /** Puts back every span `end()` still intercepted. */
  stop(): void {
    for (const intercepted of this.#intercepted) intercepted.release()
    this.#intercepted.clear()
  }

  #histogram(): Histogram {
    const { api } = this.#peers
    // Looked up at each block, not once: the global meter provider is not a
    // proxy, and the SDK may be registered after watchLoop() was called.
    const provider = (this.#otel.meterProvider as MeterProvider | undefined) ?? api.metrics.getMeterProvider()
    const meter = provider.getMeter('loopwatch', this.#peers.version)
    let histogram = this.#histograms.get(meter)
    if (histogram === undefined) {
      histogram = meter.createHistogram(kDurationMetricName, {
        description: 'Duration of each block of the event loop longer than the loopwatch threshold',
        unit: 's',
        valueType: api.ValueType.DOUBLE,
        advice: { explicitBucketBoundaries: [...kDurationBuckets] },
      })
      this.#histograms.set(meter, histogram)
    }
    return histogram
  }

  #sampled(span: Span): boolean {
    return (span.spanContext().traceFlags & this.#peers.api.TraceFlags.SAMPLED) !== 0
  }

  /** Releases intercepted spans whose block never came (the stall stayed under the threshold). */
  #prune(): void {
    const oldMs = performance.now() - kInterceptTtlMs
    for (const intercepted of this.#intercepted) {
      if (intercepted.createdMs < oldMs) intercepted.release()
    }
  }

  #try(what: string, action: () => void): boolean {
    try {
      action()
      return true
    } catch (error) {
      this.#fail(what, error)
      return false
    }
  }

  #fail(what: string, error: unknown): void {
    debug('%s failed: %O', what, error)
    warn(`loopwatch: OpenTelemetry failed while ${what}: ${String(error)}`, codes.otelFailed)
  }
}
