const spec = process.argv[2];
const t = performance.now();
if (spec === 'seg') new Intl.Segmenter(); else await import(spec);
console.log((performance.now() - t).toFixed(1));
