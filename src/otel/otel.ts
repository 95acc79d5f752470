import { performance } from 'node:perf_hooks'
import type { Attributes, Context, Histogram, Meter, MeterProvider, Span, TracerProvider } from '@opentelemetry/api'
import type { LoggerProvider } from '@opentelemetry/api-logs'
import { createDebug } from '../core/debug-log.js'
import { codes, warn } from '../core/errors.js'
import type { BlockEvent } from '../core/events.js'
import type { OtelOptions, ResolvedOptions } from '../core/options.js'
import { loadOtelPeers, type OtelPeers } from './peer.js'
import {
  blockAttributes, blockSummary, factsOf, kBlockEventName, kDurationBuckets, kDurationMetricName, metricAttributes,
} from './attributes.js'
import { interceptEnd, type Intercepted, type StallReader } from './span-end.js'
import type { WatcherExtension } from '../core/extension.js'

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
  readonly #intercepted = new Set<Intercepted>()
  readonly #histograms = new WeakMap<Meter, Histogram>()
  readonly #failed = new Set<string>()
  #warnedEnded = false

  /** Throws `ERR_LOOPWATCH_MISSING_PEER` when the API packages are not installed. */
  constructor(options: ResolvedOptions, peers?: OtelPeers) {
    if (options.otel === false) throw new TypeError('OtelExtension needs the `otel` option')
    this.#otel = options.otel
    this.#options = options
    this.#peers = peers ?? loadOtelPeers(options.otel.logs === true)
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

  block(event: BlockEvent, probed: unknown): void {
    // Called from loopwatch's own callbacks: nothing may escape to the host.
    this.#try('recording a block', () => {
      this.#block(event, probed as Probed | undefined)
    })
  }

  #block(event: BlockEvent, probed: Probed | undefined): void {
    // Each output on its own: one that throws must not cost the others.
    const facts = factsOf(event)
    // The metric first: every block is counted, whatever fails below.
    this.#try('recording the block duration', () => {
      this.#histogram().record(event.duration / 1000, metricAttributes(facts))
    })
    const attributes = blockAttributes(facts)
    const context = probed?.context ?? this.#peers.api.ROOT_CONTEXT
    const onSpan = this.#try('adding a block event to the span', () => this.#addToSpan(event, probed, attributes))
    if (this.#otel.spans === true) {
      this.#try('recording a block span', () => {
        this.#recordSpan(event, attributes, context)
      })
    }
    if (this.#peers.logs !== undefined) {
      this.#try('emitting a block log record', () => {
        this.#emitLog(event, blockSummary(facts), attributes, context)
      })
    }
    if (onSpan === false) {
      debug('block %d: its span had already ended', event.id)
      if (this.#otel.spans !== true && this.#peers.logs === undefined && !this.#warnedEnded) {
        this.#warnedEnded = true
        warn('loopwatch: a block ran in a span that had already ended, so no `loopwatch.block` span event could be ' +
          'added to it (it is still counted in the loopwatch.block.duration histogram). Set `otel.spans: true` or ' +
          '`otel.logs: true` to record such blocks as spans or log records.', codes.otelSpanEnded)
      }
    }
  }

  /**
   * Adds the event to the blocked span unless its intercepted `end()` did.
   * Returns `false` when the span had ended without it, `true` when the span
   * has it, `undefined` when there is no span to add it to (or it was not
   * sampled, or adding it failed).
   */
  #addToSpan(event: BlockEvent, probed: Probed | undefined, attributes: Attributes): boolean | undefined {
    const span = probed?.span
    if (probed === undefined || span === undefined) return undefined
    const intercepted = probed.intercepted
    if (intercepted?.held === true) {
      // Its end() was called during the block and held until now.
      intercepted.finish((held) => {
        held.addEvent(kBlockEventName, attributes, event.startTime)
      })
      return true
    }
    intercepted?.release()
    if (!probed.endedBeforeProbe && span.isRecording()) {
      span.addEvent(kBlockEventName, attributes, event.startTime)
      return true
    }
    return this.#sampled(span) ? false : undefined
  }

  #recordSpan(event: BlockEvent, attributes: Attributes, context: Context): void {
    const { api } = this.#peers
    const provider = (this.#otel.tracerProvider as TracerProvider | undefined) ?? api.trace.getTracerProvider()
    const tracer = provider.getTracer('loopwatch', this.#peers.version)
    // Back-dated, so that it covers the block on the trace's timeline.
    tracer.startSpan(kBlockEventName, { startTime: event.startTime, attributes, kind: api.SpanKind.INTERNAL }, context)
      .end(event.startTime + event.duration)
  }

  #emitLog(event: BlockEvent, body: string, attributes: Attributes, context: Context): void {
    const logs = this.#peers.logs
    if (logs === undefined) return
    const provider = (this.#otel.loggerProvider as LoggerProvider | undefined) ?? logs.logs.getLoggerProvider()
    provider.getLogger('loopwatch', this.#peers.version).emit({
      eventName: kBlockEventName,
      timestamp: event.startTime,
      severityNumber: logs.SeverityNumber.WARN,
      severityText: 'WARN',
      body,
      attributes,
      // Correlates the record with the blocked span's trace.
      context,
    })
  }

  /** Puts back every span `end()` still intercepted. */
  stop(): void {
    this.#try('releasing spans', () => {
      for (const intercepted of this.#intercepted) intercepted.release()
      this.#intercepted.clear()
    })
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

  /** Runs `action`; if it throws, warns and returns `undefined`. */
  #try<T>(what: string, action: () => T): T | undefined {
    try {
      return action()
    } catch (error) {
      this.#fail(what, error)
      return undefined
    }
  }

  /** Warns once per kind of failure: an SDK that throws at every block must not flood stderr. */
  #fail(what: string, error: unknown): void {
    debug('%s failed: %O', what, error)
    if (this.#failed.has(what)) return
    this.#failed.add(what)
    warn(`loopwatch: OpenTelemetry failed while ${what}: ${String(error)} (warned once; DEBUG=loopwatch:otel shows every failure)`,
      codes.otelFailed)
  }
}
