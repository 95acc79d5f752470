import type * as Api from '@opentelemetry/api'
import type * as ApiLogs from '@opentelemetry/api-logs'
import { codes, withCode } from '../core/errors.js'
import { loopwatchRequire } from '../core/module-url.js'

/** The OpenTelemetry API packages, loaded on demand. */
export interface OtelPeers {
  api: typeof Api
  /** Set only with `otel.logs`. */
  logs: typeof ApiLogs | undefined
  /** loopwatch's version, for the instrumentation scope. */
  version: string | undefined
}

// watchLoop() is synchronous, so the optional peers are required, not imported.

/**
 * Loads `@opentelemetry/api` (and `@opentelemetry/api-logs` when `logs` is
 * set), resolved from loopwatch's own location as a peer should be. Throws an
 * error with code `ERR_LOOPWATCH_MISSING_PEER` naming what to install.
 */
export function loadOtelPeers(logs: boolean): OtelPeers {
  const api = requirePeer('@opentelemetry/api', '`otel`',
    'along with an OpenTelemetry SDK (for example `@opentelemetry/sdk-node`), or drop the `otel` option') as typeof Api
  const logsApi = logs
    ? requirePeer('@opentelemetry/api-logs', '`otel.logs`',
      'along with `@opentelemetry/sdk-logs`, or set `otel.logs` to false') as typeof ApiLogs
    : undefined
  return { api, logs: logsApi, version: ownVersion() }
}

function requirePeer(name: string, option: string, hint: string): unknown {
  try {
    return loopwatchRequire()(name)
  } catch (error) {
    const missing = (error as { code?: unknown } | null)?.code === 'MODULE_NOT_FOUND' &&
      (error as Error).message.includes(`'${name}'`)
    if (!missing) throw error
    throw withCode(new Error(
      `${option} needs the package \`${name}\`, which loopwatch cannot find: install it in your app ` +
      `(\`npm install ${name}\`), ${hint}`, { cause: error }), codes.missingPeer)
  }
}

/** The build's version (tsup.config.ts); absent when run from source. */
declare const __LOOPWATCH_VERSION__: string | undefined

function ownVersion(): string | undefined {
  try {
    // The build's version (tsup.config.ts); from source, package.json's.
    if (typeof __LOOPWATCH_VERSION__ === 'string') return __LOOPWATCH_VERSION__
    return (loopwatchRequire()('../../package.json') as { version?: string }).version
  } catch {
    return undefined
  }
}
