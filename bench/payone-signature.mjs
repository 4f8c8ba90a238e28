// PAYONE's button signature, made by the benchmark itself: with `SANDBOX_BUTTON_SIGNATURES=placeholder` the
// server's PAYONE stand-in hands out a placeholder (in production PAYONE signs on its own machines, so the
// server's benchmark does not pay for it), which Amazon's pages refuse. The few checkouts a benchmark takes
// through the sandbox's Amazon pages get the signature PAYONE would have made, here, outside the server:
// AMZN-PAY-RSASSA-PSS (RSA-PSS, SHA-256, salt 20) over "AMZN-PAY-RSASSA-PSS\n" + hex(sha256(payload)), with the
// sandbox's published key (sandbox/src/amazon_v2/keys, which signs nothing but sandbox payloads).
import { constants, createHash, sign } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { root } from "./report.mjs";

const key = readFileSync(join(root, "sandbox/src/amazon_v2/keys/sandbox-merchant-key.pem"), "utf8");

/** The signature PAYONE hands out for the button payload `payloadJson` (base64). */
export function payoneSignature(payloadJson) {
  const stringToSign = "AMZN-PAY-RSASSA-PSS\n" + createHash("sha256").update(payloadJson).digest("hex");
  return sign("sha256", Buffer.from(stringToSign), { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 20 }).toString("base64");
}
