// "Verify my signature": checks a receipt (GET /ledger/receipt) in the
// browser: the checkpoint note it carries is signed by the ledger's
// published Ed25519 key (C2SP signed note), its leaf is included in that
// checkpoint's tree (RFC 6962 inclusion proof, SHA-256 via WebCrypto), and
// the newest published checkpoint is at least as large.
(function () {
  "use strict";
  var enc = new TextEncoder();

  function b64(s) {
    var bin = atob(s), out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }
  function cat(parts) {
    var n = 0, off = 0;
    parts.forEach(function (p) { n += p.length; });
    var out = new Uint8Array(n);
    parts.forEach(function (p) { out.set(p, off); off += p.length; });
    return out;
  }
  async function sha256(b) { return new Uint8Array(await crypto.subtle.digest("SHA-256", b)); }
  function equal(a, b) {
    if (a.length !== b.length) return false;
    for (var i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }

  // parseNote splits a signed note into its text and signatures and reads
  // the checkpoint body: origin, size, root.
  function parseNote(note) {
    var cut = note.indexOf("\n\n");
    if (cut < 0) throw new Error("the checkpoint is not a signed note");
    var text = note.slice(0, cut + 1);
    var lines = text.split("\n");
    if (lines.length < 4 || !/^\d+$/.test(lines[1])) throw new Error("the checkpoint body is malformed");
    var sigs = note.slice(cut + 2).split("\n").filter(Boolean).map(function (l) {
      var m = l.match(/^\u2014 (\S+) (\S+)$/);
      if (!m) throw new Error("bad signature line in the checkpoint");
      return { name: m[1], raw: b64(m[2]) };
    });
    return { text: text, origin: lines[0], size: BigInt(lines[1]), root: b64(lines[2]), sigs: sigs };
  }

  // verifyNote checks an Ed25519 signature on the note by the verifier key
  // "name+hash+base64(0x01 || public key)".
  async function verifyNote(note, vkey) {
    // name+hash+key: the name has no "+", the hash is 8 hex digits, the
    // base64 key may contain "+".
    var m = vkey.trim().match(/^([^+\s]+)\+([0-9a-f]{8})\+(\S+)$/);
    if (!m) throw new Error("the checkpoint key is malformed");
    var parts = m.slice(1);
    var key = b64(parts[2]);
    if (key[0] !== 1 || key.length !== 33) throw new Error("the checkpoint key is not Ed25519");
    var hash = parts[1];
    var sig = note.sigs.find(function (s) {
      var h = Array.from(s.raw.slice(0, 4), function (x) { return x.toString(16).padStart(2, "0"); }).join("");
      return s.name === parts[0] && h === hash;
    });
    if (!sig) throw new Error("the checkpoint is not signed by the published key");
    var pub = await crypto.subtle.importKey("raw", key.slice(1), { name: "Ed25519" }, false, ["verify"]);
    var ok = await crypto.subtle.verify({ name: "Ed25519" }, pub, sig.raw.slice(4), enc.encode(note.text));
    if (!ok) throw new Error("the checkpoint's signature does not verify");
  }

  // rootFromInclusion recomputes the tree root from a leaf and its
  // inclusion proof (RFC 9162, section 2.1.3.2).
  async function rootFromInclusion(index, size, leaf, proof) {
    if (index >= size) throw new Error("the leaf index is beyond the tree");
    var fn = index, sn = size - 1n;
    var r = await sha256(cat([new Uint8Array([0]), leaf]));
    for (var i = 0; i < proof.length; i++) {
      if (sn === 0n) throw new Error("the inclusion proof is too long");
      if ((fn & 1n) === 1n || fn === sn) {
        r = await sha256(cat([new Uint8Array([1]), proof[i], r]));
        if ((fn & 1n) === 0n) while ((fn & 1n) === 0n && fn !== 0n) { fn >>= 1n; sn >>= 1n; }
      } else {
        r = await sha256(cat([new Uint8Array([1]), r, proof[i]]));
      }
      fn >>= 1n; sn >>= 1n;
    }
    if (sn !== 0n) throw new Error("the inclusion proof is too short");
    return r;
  }

  async function verifyReceipt(receiptText) {
    var rc = JSON.parse(receiptText);
    if (rc.version !== 1) throw new Error("unknown receipt version");
    var keyResp = await fetch("/.well-known/petitionledger/checkpoint-key");
    var latestResp = await fetch("/ledger/checkpoint");
    if (!keyResp.ok || !latestResp.ok) throw new Error("this server does not publish checkpoints");
    var vkey = await keyResp.text();
    var own = parseNote(rc.checkpoint), latest = parseNote(await latestResp.text());
    await verifyNote(own, vkey);
    await verifyNote(latest, vkey);
    if (own.origin !== latest.origin) throw new Error("the receipt is for another ledger");
    var root = await rootFromInclusion(BigInt(rc.leaf_index), own.size, b64(rc.leaf), rc.inclusion_proof.map(b64));
    if (!equal(root, own.root)) throw new Error("the event is not in the checkpoint's tree");
    if (latest.size < own.size) throw new Error("the published checkpoint is older than the receipt's");
    return { index: rc.leaf_index, size: own.size, latest: latest.size };
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("verify-form");
    if (!form) return;
    form.hidden = false;
    var out = document.getElementById("verify-result");
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      out.textContent = "Checking…";
      verifyReceipt(document.getElementById("receipt").value).then(function (v) {
        out.dataset.result = "ok";
        out.textContent = "Verified: event " + v.index + " is in the signed tree of " + v.size +
          " events; the newest published checkpoint covers " + v.latest + " events.";
      }, function (err) {
        out.dataset.result = "fail";
        out.textContent = "Not verified: " + err.message;
      });
    });
  });
})();
