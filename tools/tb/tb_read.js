#!/usr/bin/env node
// Reads a TensorBoard event file the way TensorBoard's loader does, independently of
// ecgtorch's own code: TFRecord framing with both CRC-32C checks (the `tfrecord`
// package), each record decoded as a tensorboard.Event (protobufjs against
// tensorboard_event.proto). Prints one JSON object per event; an image is reported by
// its declared size, its PNG signature and the size in its PNG header, not its bytes.
//
//   node tools/tb/tb_read.js runs/x/tb/events.out.tfevents.*
// Exit status 1 with one line on stderr for a bad file (CRC mismatch, truncated
// record, undecodable event).
'use strict';
const path = require('path');
const tfrecord = require('tfrecord');
const protobuf = require('protobufjs');

function pngInfo(bytes) {
  const buf = Buffer.from(bytes);
  const signature = buf.length >= 8 && buf.subarray(0, 8).equals(
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  const ihdr = buf.length >= 24 && buf.toString('latin1', 12, 16) === 'IHDR';
  return {
    png: signature && ihdr,
    png_width: ihdr ? buf.readUInt32BE(16) : null,
    png_height: ihdr ? buf.readUInt32BE(20) : null,
    bytes: buf.length,
  };
}

async function main() {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: tb_read.js EVENT_FILE\n');
    process.exit(2);
  }
  const root = await new protobuf.Root().load(
      path.join(__dirname, 'tensorboard_event.proto'), {keepCase: true});
  const Event = root.lookupType('tensorboard.Event');
  const reader = await tfrecord.RecordReader.create(file);
  let index = 0;
  for (;;) {
    let record;
    try {
      record = await reader.readRecord();
    } catch (e) {
      throw new Error(`${file}: record ${index}: ${e.message}`);
    }
    if (record === null) break;
    let event;
    try {
      event = Event.toObject(Event.decode(record), {oneofs: true, longs: Number});
    } catch (e) {
      throw new Error(`${file}: record ${index}: not a tensorboard.Event: ${e.message}`);
    }
    const out = {wall_time: event.wall_time || 0, step: event.step || 0};
    if (event.what === 'file_version') out.file_version = event.file_version;
    if (event.what === 'summary') {
      out.values = event.summary.value.map((v) => {
        const value = {tag: v.tag};
        if (v.value === 'simple_value') value.simple_value = v.simple_value;
        if (v.value === 'image') {
          value.image = Object.assign(
              {height: v.image.height, width: v.image.width, colorspace: v.image.colorspace},
              pngInfo(v.image.encoded_image_string));
        }
        return value;
      });
    }
    process.stdout.write(JSON.stringify(out) + '\n');
    ++index;
  }
}

main().catch((e) => {
  process.stderr.write(`tb_read: ${e.message}\n`);
  process.exit(1);
});
