// Where the Hosted Payment Page lives: the merchant's API (/hpp/v1, Basic auth) and the shopper's
// page with its QR code (/sandbox/hpp, no credentials: the unguessable session id is the access,
// as a checkout order's id is for the hosted checkout).
export const HPP_API_PREFIX = '/hpp/v1';
export const HPP_PAGE_PREFIX = '/sandbox/hpp';

export const hppPaths = {
  session: (sessionId: string) => `${HPP_API_PREFIX}/sessions/${sessionId}`,
  distribution: (sessionId: string) => `${HPP_API_PREFIX}/sessions/${sessionId}/distribution`,
  page: (sessionId: string) => `${HPP_PAGE_PREFIX}/${sessionId}`,
  pay: (sessionId: string) => `${HPP_PAGE_PREFIX}/${sessionId}/pay`,
  qrCode: (sessionId: string) => `${HPP_PAGE_PREFIX}/${sessionId}/qr.svg`,
};
