// Klarna's API (Jackson underneath) accepts a JSON number where a text field is expected and reads
// it as text: its own examples send "reference": 75001 and "postal_code": 12345. Clients copy
// those, so OpenOM does the same for fields that are text everywhere in the API. Amounts are
// never in this list: "100" is still not an amount, and 100 is not turned into text for them.
const TEXT_FIELDS = new Set([
  'reference',
  'name',
  'description',
  'merchant_reference1',
  'merchant_reference2',
  'merchant_data',
  'quantity_unit',
  'global_trade_item_number',
  'manufacturer_part_number',
  'brand',
  'color',
  'size',
  'category_path',
  'tracking_number',
  'return_tracking_number',
  'given_name',
  'family_name',
  'title',
  'street_address',
  'street_address2',
  'street_name',
  'street_number',
  'house_extension',
  'care_of',
  'postal_code',
  'city',
  'region',
  'phone',
  'attention',
  'organization_name',
  'national_identification_number',
  'vat_id',
  'organization_registration_id',
  'tms_reference',
  'external_id',
  'identifier',
]);

export function coerceScalarStrings(value: unknown, depth = 0): void {
  if (depth > 40 || value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (const item of value) coerceScalarStrings(item, depth + 1);
    return;
  }
  const obj = value as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    const v = obj[key];
    if (typeof v === 'number' && Number.isFinite(v) && TEXT_FIELDS.has(key)) obj[key] = String(v);
    else if (v !== null && typeof v === 'object') coerceScalarStrings(v, depth + 1);
  }
}
