// The part of autocannon's API the benchmarks use (it ships no types).
declare module 'autocannon' {
  interface Options { url: string; connections?: number; duration?: number }
  interface Result { requests: { total: number; average: number } }
  function autocannon(options: Options): Promise<Result>
  export default autocannon
}
