// The QR encoder against matrices made by an independent implementation (python-qrcode 8.2, byte
// mode, level M, the same mask forced): every module equal, function patterns and version
// information included (version 7 has them), so a phone's camera reads what we draw.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { qrCodeSvg, qrMatrix } from './qrCode.js';

/** Rows as hex numbers, most significant bit the leftmost module. */
function fromHex(rows: readonly string[]): string[] {
  return rows.map((hex) => BigInt(`0x${hex}`).toString(2).padStart(rows.length, '0'));
}
const asBits = (grid: boolean[][]) => grid.map((row) => row.map((dark) => (dark ? '1' : '0')).join(''));

const VERSION_1_HI_MASK_2 = [
  '1fcf7f',
    '104d41',
    '175b5d',
    '17595d',
    '17535d',
    '105941',
    '1fd57f',
    '1700',
    '17c17c',
    'ea521',
    '66a9e',
    '1d0834',
    '1d4295',
    '13c9',
    '1fc562',
    '105fc9',
    '175124',
    '175d24',
    '17529c',
    '104c34',
    '1fd69e',
];

const LINK = 'https://openom.example/sandbox/hpp/0f8fad5b-d9cb-469f-a165-70867728950e?ref=pay-by-link&campaign=in-store-telesales-2026';
const VERSION_7_LINK_MASK_5 = [
  '1fcc93e6d17f',
    '1058c6bc3a41',
    '175edfa1fa5d',
    '17523c9d7b5d',
    '174c33fa675d',
    '104cc916b841',
    '1fd55555557f',
    '1da113bd00',
    '10574bf0c4ce',
    '52fe5afcf62',
    '1bee98d5a5e6',
    'a36d8b9d11c',
    '1a7d3689d6d2',
    '178dfa03ebad',
    '176addfe3c52',
    '420db708f27',
    '164bb7482028',
    '170aa802f313',
    '16242588037',
    '4012cbf1a7c',
    'df12ff2cbf1',
    'b14e91fff1c',
    '75de7552f56',
    '3114d1d511f',
    '1df8dffdddf0',
    'cbcaf6ae885',
    '1cfc04a62e96',
    '1e14ecf2cf2d',
    '11eb79a8c859',
    '330caead06d',
    '196ab3a9b3f1',
    '109bb2ddde44',
    '19c3a0aae598',
    '15028a1fcd1e',
    '1462087b738',
    'f1edb395ffc',
    '13533ff713fb',
    '1b4719db1d',
    '1fcf1f5e0754',
    '104be51c4f1d',
    '174e71f8e3f9',
    '17485110d877',
    '1743d90a3b7d',
    '104169c99834',
    '1fdc8ed462c2',
];

describe('QR code', () => {
  it('version 1: every module as the reference draws it', () => {
    assert.deepEqual(asBits(qrMatrix('hi', 2)), fromHex(VERSION_1_HI_MASK_2));
  });

  it('version 7 (four blocks, version information): every module as the reference draws it', () => {
    assert.deepEqual(asBits(qrMatrix(LINK, 5)), fromHex(VERSION_7_LINK_MASK_5));
  });

  it('chooses a mask itself, drawing the same symbol as with that mask forced', () => {
    const chosen = asBits(qrMatrix(LINK));
    assert.ok([0, 1, 2, 3, 4, 5, 6, 7].some((mask) => asBits(qrMatrix(LINK, mask)).join() === chosen.join()));
  });

  it('refuses text beyond version 10, rather than draw a wrong symbol', () => {
    assert.doesNotThrow(() => qrMatrix('x'.repeat(213)));
    assert.throws(() => qrMatrix('x'.repeat(214)), /at most 213 bytes/);
  });

  it('is an SVG with a four-module quiet zone', () => {
    const svg = qrCodeSvg('hi');
    assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" viewBox="0 0 29 29"/);
    assert.match(svg, /<path d="M4,4h1v1h-1z/);
  });
});
