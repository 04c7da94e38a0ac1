import http from "node:http";
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";

// Real receivers on 127.0.0.1 for the alert tests: an HTTP server that records every request
// (Slack and webhook payloads) and answers with the statuses it is told, and an SMTP server
// that records every e-mail and every AUTH attempt.

export type Received = { path: string; headers: http.IncomingHttpHeaders; body: string };

export async function startHttpReceiver() {
  const requests: Received[] = [];
  /** Statuses to answer next per path, in order; 200 when none is left. Per path, so that a test
   * that queues more than it uses cannot answer another test's request. */
  const statuses = new Map<string, number[]>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      requests.push({ path: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      const status = statuses.get(req.url ?? "")?.shift() ?? 200;
      res.writeHead(status, { "content-type": "text/plain" }).end(status === 200 ? "ok" : "receiver says no");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    requests,
    answer: (path: string, ...codes: number[]) => statuses.set(path, [...(statuses.get(path) ?? []), ...codes]),
    url: (path: string) => `http://127.0.0.1:${port}${path}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type Mail = { from: string; to: string[]; raw: string };

export async function startSmtpReceiver() {
  const mails: Mail[] = [];
  const logins: { username: string; password: string }[] = [];
  const server = new SMTPServer({
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onAuth(auth, _session, callback) {
      logins.push({ username: auth.username ?? "", password: auth.password ?? "" });
      callback(null, { user: auth.username });
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString("utf8"),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.server.address() as AddressInfo).port;
  return { mails, logins, port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** The decoded Subject header of a raw e-mail (nodemailer may encode it as =?UTF-8?…?=). */
export function subjectOf(raw: string): string {
  const m = /^Subject: (.*(?:\r?\n[ \t].*)*)/im.exec(raw);
  const value = (m?.[1] ?? "").replace(/\r?\n[ \t]/g, " ");
  return value.replace(/=\?utf-8\?([bq])\?([^?]*)\?=\s*/gi, (_, enc: string, text: string) =>
    enc.toLowerCase() === "b"
      ? Buffer.from(text, "base64").toString("utf8")
      : decodeURIComponent(
          text
            .replace(/_/g, " ")
            .replace(/%/g, "%25")
            .replace(/=([0-9A-F]{2})/gi, "%$1"),
        ),
  );
}
