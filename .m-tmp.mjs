const before = process.memoryUsage();
if (process.argv[2]) await import(process.argv[2]);
global.gc?.(); await new Promise((r) => setTimeout(r, 300)); global.gc?.();
const m = process.memoryUsage();
console.log(process.argv[2] ?? 'none', 'rss', (m.rss / 1048576).toFixed(1), 'heapUsed', (m.heapUsed / 1048576).toFixed(1), 'heapTotal', (m.heapTotal / 1048576).toFixed(1));
