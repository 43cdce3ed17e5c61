'use strict';
// Minimal protobuf (proto2 wire format) codec for the two version-3 message
// shapes the suite tampers with: SignalMessage (type 2) and
// PreKeySignalMessage (type 3). Written from the field tables in
// docs/signal-protocol-facts.md §6. Fields are kept as an ordered list so a
// message can be re-encoded exactly (or deliberately differently).

const WT_VARINT = 0;
const WT_LEN = 2;

function encodeVarint(n) {
  // n: non-negative integer (Number, up to 2^53) or BigInt
  let v = BigInt(n);
  if (v < 0n) throw new Error('negative varint');
  const out = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) b |= 0x80;
    out.push(b);
  } while (v > 0n);
  return Buffer.from(out);
}

function decodeVarint(buf, pos) {
  let v = 0n;
  let shift = 0n;
  for (let i = 0; i < 10; i++) {
    if (pos >= buf.length) throw new Error('truncated varint');
    const b = buf[pos++];
    v |= BigInt(b & 0x7f) << shift;
    if (!(b & 0x80)) return [v, pos];
    shift += 7n;
  }
  throw new Error('varint too long');
}

// Decode a protobuf into [{num, wt, value}] (value: BigInt for varint, Buffer for len).
function decodeFields(buf) {
  const fields = [];
  let pos = 0;
  while (pos < buf.length) {
    let key;
    [key, pos] = decodeVarint(buf, pos);
    const num = Number(key >> 3n);
    const wt = Number(key & 7n);
    if (wt === WT_VARINT) {
      let v;
      [v, pos] = decodeVarint(buf, pos);
      fields.push({ num, wt, value: v });
    } else if (wt === WT_LEN) {
      let len;
      [len, pos] = decodeVarint(buf, pos);
      len = Number(len);
      if (pos + len > buf.length) throw new Error('truncated length-delimited field');
      fields.push({ num, wt, value: Buffer.from(buf.subarray(pos, pos + len)) });
      pos += len;
    } else if (wt === 1) {
      if (pos + 8 > buf.length) throw new Error('truncated fixed64');
      fields.push({ num, wt, value: Buffer.from(buf.subarray(pos, pos + 8)) });
      pos += 8;
    } else if (wt === 5) {
      if (pos + 4 > buf.length) throw new Error('truncated fixed32');
      fields.push({ num, wt, value: Buffer.from(buf.subarray(pos, pos + 4)) });
      pos += 4;
    } else {
      throw new Error(`unsupported wire type ${wt}`);
    }
  }
  return fields;
}

function encodeFields(fields) {
  const parts = [];
  for (const f of fields) {
    parts.push(encodeVarint((BigInt(f.num) << 3n) | BigInt(f.wt)));
    if (f.wt === WT_VARINT) parts.push(encodeVarint(f.value));
    else if (f.wt === WT_LEN) {
      parts.push(encodeVarint(f.value.length));
      parts.push(f.value);
    } else parts.push(f.value);
  }
  return Buffer.concat(parts);
}

// ---- field helpers on ordered field lists ----
function getField(fields, num) {
  const f = fields.find((x) => x.num === num);
  return f ? f.value : undefined;
}
function setField(fields, num, value, wt) {
  const out = fields.map((f) => ({ ...f }));
  const f = out.find((x) => x.num === num);
  if (f) f.value = value;
  else {
    out.push({ num, wt: wt !== undefined ? wt : (Buffer.isBuffer(value) ? WT_LEN : WT_VARINT), value });
    out.sort((a, b) => a.num - b.num);
  }
  return out;
}
function removeField(fields, num) {
  return fields.filter((f) => f.num !== num);
}

// ---- SignalMessage: version(1) || protobuf || mac(8) ----
const SM = { ratchet_key: 1, counter: 2, previous_counter: 3, ciphertext: 4 };

function parseSignalMessage(body) {
  if (body.length < 9) throw new Error('SignalMessage too short');
  const version = body[0];
  const proto = body.subarray(1, body.length - 8);
  const mac = Buffer.from(body.subarray(body.length - 8));
  const fields = decodeFields(proto);
  return {
    version,
    fields,
    mac,
    proto: Buffer.from(proto),
    ratchetKey: getField(fields, SM.ratchet_key),
    counter: Number(getField(fields, SM.counter)),
    previousCounter: getField(fields, SM.previous_counter) === undefined ? undefined : Number(getField(fields, SM.previous_counter)),
    ciphertext: getField(fields, SM.ciphertext),
  };
}

function buildSignalMessage({ version, fields, mac }) {
  return Buffer.concat([Buffer.from([version]), encodeFields(fields), mac]);
}

// Canonical encoding as libsignal (prost) writes it: all four fields, tag order.
function canonicalSignalProto(m) {
  return encodeFields([
    { num: 1, wt: WT_LEN, value: m.ratchetKey },
    { num: 2, wt: WT_VARINT, value: BigInt(m.counter) },
    { num: 3, wt: WT_VARINT, value: BigInt(m.previousCounter || 0) },
    { num: 4, wt: WT_LEN, value: m.ciphertext },
  ]);
}

// ---- PreKeySignalMessage: version(1) || protobuf ----
const PKM = { pre_key_id: 1, base_key: 2, identity_key: 3, message: 4, registration_id: 5, signed_pre_key_id: 6 };

function parsePreKeyMessage(body) {
  if (body.length < 1) throw new Error('PreKeySignalMessage empty');
  const version = body[0];
  const fields = decodeFields(body.subarray(1));
  const pk = getField(fields, PKM.pre_key_id);
  return {
    version,
    fields,
    preKeyId: pk === undefined ? undefined : Number(pk),
    baseKey: getField(fields, PKM.base_key),
    identityKey: getField(fields, PKM.identity_key),
    message: getField(fields, PKM.message),
    registrationId: getField(fields, PKM.registration_id) === undefined ? undefined : Number(getField(fields, PKM.registration_id)),
    signedPreKeyId: getField(fields, PKM.signed_pre_key_id) === undefined ? undefined : Number(getField(fields, PKM.signed_pre_key_id)),
  };
}

function buildPreKeyMessage({ version, fields }) {
  return Buffer.concat([Buffer.from([version]), encodeFields(fields)]);
}

function canonicalPreKeyProto(m) {
  const fields = [];
  if (m.preKeyId !== undefined) fields.push({ num: 1, wt: WT_VARINT, value: BigInt(m.preKeyId) });
  fields.push({ num: 2, wt: WT_LEN, value: m.baseKey });
  fields.push({ num: 3, wt: WT_LEN, value: m.identityKey });
  fields.push({ num: 4, wt: WT_LEN, value: m.message });
  fields.push({ num: 5, wt: WT_VARINT, value: BigInt(m.registrationId || 0) });
  fields.push({ num: 6, wt: WT_VARINT, value: BigInt(m.signedPreKeyId) });
  return encodeFields(fields);
}

module.exports = {
  WT_VARINT, WT_LEN,
  encodeVarint, decodeVarint, decodeFields, encodeFields,
  getField, setField, removeField,
  SM, PKM,
  parseSignalMessage, buildSignalMessage, canonicalSignalProto,
  parsePreKeyMessage, buildPreKeyMessage, canonicalPreKeyProto,
};
