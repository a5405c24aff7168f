// Copyright 2026 the psbase authors. MIT license.
// Every field type, written and read the same way by Deno (tests/npm_test.ts,
// with the repo's mod.ts) and by Node (`_child.mjs fields-write|fields-dump`,
// with the installed package). No imports: each runtime passes its own PsBase.
//
// writeFields(PsBase, dir) builds <dir>/cities and <dir>/people (string, int,
// float, bool, date, datetime, a link to cities, a string with a default; nulls;
// an update, a delete, a deleted link target) and returns the records people
// must hold, canonical. dumpFields(PsBase, dir) reads them back (select,
// iteration, get, a find per type) and returns the same canonical form, so two
// dumps are equal exactly when the records are identical, types included.

const day = (iso) => new Date(`${iso}T00:00:00.000Z`);

/** A JSON-able form that keeps what JSON would lose: Dates, -0, undefined. */
export function canon(v) {
  if (v === undefined) return { $undefined: true };
  if (v === null || typeof v === "string" || typeof v === "boolean") return v;
  if (typeof v === "number") return Object.is(v, -0) ? { $number: "-0" } : v;
  if (v instanceof Date) return { $date: v.toISOString() };
  if (Array.isArray(v)) return v.map(canon);
  if (typeof v === "object") {
    // Field order matters too: it is the schema's.
    return Object.entries(v).map(([k, x]) => [k, canon(x)]);
  }
  return { $unexpected: `${typeof v} ${String(v)}` };
}

const CITIES = [
  { name: "Paris", founded: day("0508-01-01") },
  { name: "London", founded: day("1066-12-25") },
  { name: "Rome", founded: day("1871-02-03") }, // deleted: links to it read null
  { name: null, founded: null },
];

/** The people schema in field order, linking to `cities` (a Base). */
function peopleSchema(cities) {
  return {
    s: "string",
    i: "int",
    f: "float",
    b: "bool",
    d: "date",
    dt: "datetime",
    city: cities,
    note: { type: "string", default: "dflt" },
  };
}

/** Creates the two bases under `dir` with `PsBase`; returns the expected people records. */
export async function writeFields(PsBase, dir) {
  const cities = await new PsBase(`${dir}/cities`).create({ name: "string", founded: "date" });
  const cityIds = await cities.insertMany(CITIES);
  const cityRecs = cityIds.map((id, k) => ({ __id__: id, __version__: 0, ...CITIES[k] }));
  const [paris, london, rome, nameless] = cityIds;
  const people = await new PsBase(`${dir}/people`).create(peopleSchema(cities));
  const rows = [
    {
      s: "Ada Lovelace — ñ 漢字 😀",
      i: Number.MAX_SAFE_INTEGER,
      f: 3.141592653589793,
      b: true,
      d: day("1815-12-10"),
      dt: new Date("2024-02-29T23:59:59.123Z"),
      city: paris,
      note: "set",
    },
    { s: null, i: null, f: null, b: null, d: null, dt: null, city: null, note: null },
    {
      s: "",
      i: Number.MIN_SAFE_INTEGER,
      f: -123.456e-7,
      b: false,
      d: day("1969-12-31"),
      dt: new Date(-1),
      city: london,
    }, // note: its default
    {
      s: 'line\n"quoted"\t\\ end',
      i: 0,
      f: 0.1 + 0.2,
      b: false,
      d: day("2000-01-01"),
      dt: new Date(0),
      city: rome,
    },
    { s: "to delete", i: 1, f: 1e300, b: true, d: day("2038-01-19"), dt: null, city: paris },
    { s: "to update", i: -7, f: -2.5e-300, b: null, d: null, dt: new Date(1e12), city: nameless },
    { i: 2 ** 31, f: 1 / 3 }, // only two fields: the rest null, note its default
    { s: "\uFEFFbom first \u{10FFFF}", i: -0, f: -0, note: "\uFEFF" }, // -0 and a BOM kept
  ];
  const ids = await people.insertMany(rows);
  // In field order; a missing field gets its default (null, "dflt" for note).
  const fields = Object.keys(peopleSchema(null));
  const expected = new Map(ids.map((id, k) => [id, {
    __id__: id,
    __version__: 0,
    ...Object.fromEntries(
      fields.map((f) => [f, f in rows[k] ? rows[k][f] : f === "note" ? "dflt" : null]),
    ),
  }]));
  // A delete, a cleanup (so the rows so far come from a data file, not the log),
  // two updates (one to nulls), a deleted link target.
  await people.delete(ids[4]);
  expected.delete(ids[4]);
  await people.cleanup();
  const u = await people.get(ids[5]);
  await people.update(u, { s: "updated", b: true, dt: null, city: london });
  Object.assign(expected.get(ids[5]), {
    __version__: 1,
    s: "updated",
    b: true,
    dt: null,
    city: london,
  });
  const [u2] = await people.find({ s: "updated" });
  await people.update(u2, { i: null, f: 2 ** -1074, note: null });
  Object.assign(expected.get(ids[5]), { __version__: 2, i: null, f: 2 ** -1074, note: null });
  // -0 and a BOM written through the log (after the cleanup), not only a data file.
  const [u3] = await people.find({ i: 2 ** 31 });
  await people.update(u3, { f: -0, s: "\uFEFF" });
  Object.assign(expected.get(ids[6]), { __version__: 1, f: -0, s: "\uFEFF" });
  await cities.delete(rome);
  const byId = new Map(cityRecs.map((c) => [c.__id__, c]));
  const records = [...expected.values()].map((r) => ({
    ...r,
    city: r.city === null || r.city === rome ? null : byId.get(r.city),
  }));
  await people.close();
  await cities.close();
  return canon(records);
}

/** Opens `<dir>/people` with `PsBase` and reads everything back, canonical. */
export async function dumpFields(PsBase, dir) {
  const people = await new PsBase(`${dir}/people`).open();
  try {
    const schema = Object.entries(people.schema).map(([name, spec]) => [
      name,
      spec.type,
      canon(spec.default),
      spec.base === undefined ? null : spec.base.slice(dir.length),
    ]);
    const selected = [...await people.select()];
    const iterated = [];
    for await (const r of people) iterated.push(r);
    const got = [];
    for (const r of iterated) got.push(await people.get(r.__id__));
    const [paris] = (await people.find({ s: /^Ada/ })).map((r) => r.city);
    const ids = async (where) => (await people.find(where)).map((r) => r.__id__);
    const finds = {
      s: await ids({ s: /quoted/ }),
      sNull: await ids({ s: null }),
      i: await ids({ i: [Number.MIN_SAFE_INTEGER, 0] }),
      f: await ids({ f: [-1, 1] }),
      b: await ids({ b: false }),
      d: await ids({ d: [day("1800-01-01"), day("1999-12-31")] }),
      dt: await ids({ dt: [new Date(-1), new Date(0)] }),
      city: await ids({ city: paris }),
      note: await ids({ note: "dflt" }),
    };
    return {
      schema,
      count: await people.count(),
      records: canon(selected),
      iterated: canon(iterated),
      got: canon(got),
      finds,
    };
  } finally {
    await people.close();
  }
}
