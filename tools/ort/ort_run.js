// Runs an ONNX model in ONNX Runtime (onnxruntime-node) for ecgtorch's export checks.
//   node ort_run.js REQUEST.json
// REQUEST: {"model": "m.onnx", "threads": 1,
//           "inputs": [{"name": "input", "type": "float32"|"int64", "dims": [..], "file": "x.bin"}],
//           "output": "y.bin"}
// Input files hold raw little-endian values; the first output is written to "output" as
// raw float32, and one JSON line {"dims": [...], "output_name": "..."} goes to stdout.
// Failures print one line to stderr and exit 1.
'use strict';
const fs = require('fs');
const path = require('path');

function loadOrt() {
  const dirs = [process.env.ECGTORCH_ORT_NODE_DIR, path.join(__dirname, 'node_modules')].filter(Boolean);
  for (const d of dirs) {
    try {
      return require(path.join(d, 'onnxruntime-node'));
    } catch (e) {
      if (e.code !== 'MODULE_NOT_FOUND') throw e;
    }
  }
  throw new Error('onnxruntime-node is not installed (npm install --prefix tools/ort, or set ECGTORCH_ORT_NODE_DIR)');
}

async function main() {
  const req = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  const ort = loadOrt();
  const session = await ort.InferenceSession.create(req.model, {
    intraOpNumThreads: req.threads || 1,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
  });
  const feeds = {};
  for (const inp of req.inputs) {
    const buf = fs.readFileSync(inp.file);
    const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
    const data = inp.type === 'int64' ? new BigInt64Array(ab) : new Float32Array(ab);
    feeds[inp.name] = new ort.Tensor(inp.type, data, inp.dims);
  }
  const repeat = req.repeat || 0;
  const times = [];
  let results = await session.run(feeds);
  for (let i = 0; i < repeat; ++i) {
    const t0 = process.hrtime.bigint();
    results = await session.run(feeds);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  const name = session.outputNames[0];
  const out = results[name];
  const f32 = Float32Array.from(out.data, Number);
  fs.writeFileSync(req.output, Buffer.from(f32.buffer));
  process.stdout.write(JSON.stringify({dims: out.dims, output_name: name, times_ms: times}) + '\n');
}

main().catch((e) => {
  process.stderr.write('ort_run: ' + String(e && e.message ? e.message : e).split('\n')[0] + '\n');
  process.exit(1);
});
