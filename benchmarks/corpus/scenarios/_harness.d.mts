// Types for _harness.mjs, for the TypeScript scenarios.
export declare const blockMs: number
export declare const now: () => number
export declare function ready(fn: () => void): void
export declare function truth(startEpoch: number, endEpoch: number): void
export declare function settle(): void
export declare function inSlices(total: number, work: (i: number) => void): Promise<void>
export declare function unitsFor(units: number, sample: () => unknown): number
