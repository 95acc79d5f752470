const mode = process.argv[2]
if (mode !== 'none') { const { watchLoop } = await import('loopwatch'); const w = watchLoop({ log: false, threshold: 50 }); await w.ready(); if (mode==='block') { const t=Date.now(); while(Date.now()-t<300); } }
setTimeout(() => { const m = process.memoryUsage(); console.log(mode, (m.rss / 1048576).toFixed(1)) }, 1500)
