// Container health check: exits 0 when this instance's /health/ready answers 200. Speaks HTTPS
// when OpenOM does (OPENOM_TLS, OPENOM_TLS_CERT); the certificate is not checked, it is our own.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

const tls = Boolean(process.env.OPENOM_TLS || process.env.OPENOM_TLS_CERT);
const request = tls ? httpsRequest : httpRequest;
const req = request(
  { host: '127.0.0.1', port: Number(process.env.PORT || 8080), path: '/health/ready', timeout: 2000, rejectUnauthorized: false },
  (res) => process.exit(res.statusCode === 200 ? 0 : 1),
);
req.on('timeout', () => req.destroy(new Error('timeout')));
req.on('error', () => process.exit(1));
req.end();
