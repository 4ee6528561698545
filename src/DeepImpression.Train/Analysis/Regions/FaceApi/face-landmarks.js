'use strict';
// Face detection and 68-point landmarks for `deepimpression face-regions`, offline.
//
//   node face-landmarks.js WIDTH HEIGHT [ssd|tiny] [MIN_SCORE]
//
// Reads frames from stdin as raw RGB (WIDTH x HEIGHT x 3 bytes each, one after another, as ffmpeg's rgb24) and
// writes one JSON line per frame to stdout: {"faces": [{"score": s, "box": [x, y, w, h], "landmarks": [[x, y] x 68]}]}
// in pixel coordinates. Models: @vladmandic/face-api's SSD MobileNet v1 (or tiny face detector) and its 68-point
// landmark network, loaded from the package's own model/ folder; TensorFlow.js runs on its WebAssembly backend,
// whose .wasm files ship in @tensorflow/tfjs-backend-wasm. Nothing is fetched from the network.
const path = require('path');

const [width, height] = [Number(process.argv[2]), Number(process.argv[3])];
const detector = process.argv[4] || 'ssd';
const minScore = Number(process.argv[5] || 0.5);
if (!(width > 0 && height > 0) || !['ssd', 'tiny'].includes(detector)) {
  process.stderr.write('usage: node face-landmarks.js WIDTH HEIGHT [ssd|tiny] [MIN_SCORE]\n');
  process.exit(2);
}

const modules = path.join(__dirname, 'node_modules');
const tf = require('@tensorflow/tfjs');
const wasm = require('@tensorflow/tfjs-backend-wasm');
// The package's main entry needs @tensorflow/tfjs-node, which does not install offline: use its WebAssembly build.
const faceapi = require(path.join(modules, '@vladmandic', 'face-api', 'dist', 'face-api.node-wasm.js'));

async function main() {
  wasm.setWasmPaths(path.join(modules, '@tensorflow', 'tfjs-backend-wasm', 'dist') + path.sep);
  await tf.setBackend('wasm');
  await tf.ready();
  const models = path.join(modules, '@vladmandic', 'face-api', 'model');
  const net = detector === 'ssd' ? faceapi.nets.ssdMobilenetv1 : faceapi.nets.tinyFaceDetector;
  await net.loadFromDisk(models);
  await faceapi.nets.faceLandmark68Net.loadFromDisk(models);
  const options = detector === 'ssd'
    ? new faceapi.SsdMobilenetv1Options({ minConfidence: minScore })
    : new faceapi.TinyFaceDetectorOptions({ inputSize: 416, scoreThreshold: minScore });

  const frameBytes = width * height * 3;
  let pending = Buffer.alloc(0);
  for await (const chunk of process.stdin) {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    while (pending.length >= frameBytes) {
      const frame = pending.subarray(0, frameBytes);
      pending = pending.subarray(frameBytes);
      const image = tf.tensor3d(Int32Array.from(frame), [height, width, 3], 'int32');
      const found = await faceapi.detectAllFaces(image, options).withFaceLandmarks();
      image.dispose();
      const faces = found.map((f) => ({
        score: f.detection.score,
        box: [f.detection.box.x, f.detection.box.y, f.detection.box.width, f.detection.box.height],
        landmarks: f.landmarks.positions.map((p) => [p.x, p.y]),
      }));
      process.stdout.write(JSON.stringify({ faces }) + '\n');
    }
  }
  if (pending.length !== 0) {
    process.stderr.write(`input ended inside a frame (${pending.length} of ${frameBytes} bytes)\n`);
    process.exit(3);
  }
}

main().catch((e) => {
  process.stderr.write(`face-landmarks: ${e && e.message ? e.message : e}\n`);
  process.exit(1);
});
