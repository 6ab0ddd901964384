/* SHA-256 of an ASCII string, hex (pages on plain http have no crypto.subtle). */
function sha256(ascii) {
  function rotr(x, n) { return (x >>> n) | (x << (32 - n)); }
  var K = [], H = [], primes = [], n = 2;
  while (primes.length < 64) {
    var isPrime = true;
    for (var d = 2; d * d <= n; d++) { if (n % d === 0) { isPrime = false; break; } }
    if (isPrime) { primes.push(n); }
    n++;
  }
  for (var i = 0; i < 64; i++) {
    if (i < 8) { H[i] = (Math.pow(primes[i], 1 / 2) * 4294967296) | 0; }
    K[i] = (Math.pow(primes[i], 1 / 3) * 4294967296) | 0;
  }
  var bytes = [];
  for (i = 0; i < ascii.length; i++) { bytes.push(ascii.charCodeAt(i) & 255); }
  var bitLen = bytes.length * 8;
  bytes.push(0x80);
  while (bytes.length % 64 !== 56) { bytes.push(0); }
  for (i = 7; i >= 0; i--) { bytes.push(i >= 4 ? 0 : (bitLen >>> (i * 8)) & 255); }
  for (var off = 0; off < bytes.length; off += 64) {
    var w = [];
    for (i = 0; i < 16; i++) {
      w[i] = (bytes[off + 4 * i] << 24) | (bytes[off + 4 * i + 1] << 16) | (bytes[off + 4 * i + 2] << 8) | bytes[off + 4 * i + 3];
    }
    for (i = 16; i < 64; i++) {
      var s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >>> 3);
      var s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >>> 10);
      w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
    }
    var a = H[0], b = H[1], c = H[2], e = H[4], f = H[5], g = H[6], h = H[7], dd = H[3];
    for (i = 0; i < 64; i++) {
      var t1 = (h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i]) | 0;
      var t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      h = g; g = f; f = e; e = (dd + t1) | 0; dd = c; c = b; b = a; a = (t1 + t2) | 0;
    }
    H[0] = (H[0] + a) | 0; H[1] = (H[1] + b) | 0; H[2] = (H[2] + c) | 0; H[3] = (H[3] + dd) | 0;
    H[4] = (H[4] + e) | 0; H[5] = (H[5] + f) | 0; H[6] = (H[6] + g) | 0; H[7] = (H[7] + h) | 0;
  }
  var out = "";
  for (i = 0; i < 8; i++) { out += ("00000000" + (H[i] >>> 0).toString(16)).slice(-8); }
  return out;
}
