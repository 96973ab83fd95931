// Creators and contributors: a person (family and given names, ORCID) or an organisation
// (name, ROR id), with affiliations (one per line: a name or a ROR id) and a role.
import { ROR, choose, q, setOrDelete, val } from "./fields.js";

const typeOf = (row) => row.querySelector("[data-f=type] input:checked")?.value || "personal";
const affText = (a) => a.name || a.id || "";
const MINE = { personal: "orcid", organizational: "ror" };

function showType(row, type) {
  for (const input of row.querySelectorAll("[data-f=type] input")) input.checked = input.value === type;
  for (const group of row.querySelectorAll("[data-show]")) group.hidden = group.dataset.show !== type;
}

export function people(noun) {
  return {
    noun,
    write(row, v) {
      const po = v.person_or_org || {};
      const type = po.type === "organizational" ? "organizational" : "personal";
      showType(row, type);
      row.querySelector("[data-f=type]").addEventListener("change", () => showType(row, typeOf(row)));
      const ids = po.identifiers || [];
      q(row, "family_name").value = po.family_name || "";
      q(row, "given_name").value = po.given_name || "";
      q(row, "name").value = type === "organizational" ? po.name || "" : "";
      q(row, "orcid").value = ids.find((i) => i.scheme === "orcid")?.identifier || "";
      q(row, "ror").value = ids.find((i) => i.scheme === "ror")?.identifier || "";
      q(row, "affiliations").value = (v.affiliations || []).map(affText).join("\n");
      choose(q(row, "role"), v.role?.id);
    },
    read(row, orig) {
      const type = typeOf(row);
      const personal = type === "personal";
      const [family, given, name, role] = ["family_name", "given_name", "name", "role"].map((f) => val(row, f));
      const id = val(row, MINE[type]);
      const lines = q(row, "affiliations").value.split("\n").map((l) => l.trim()).filter(Boolean);
      if (!(personal ? family || given : name) && !id && !lines.length && !role) return null;
      const po = { ...(orig.person_or_org || {}), type };
      delete po.name;
      delete po.family_name;
      delete po.given_name;
      if (personal) { setOrDelete(po, "family_name", family); setOrDelete(po, "given_name", given); }
      else setOrDelete(po, "name", name);
      const kept = (po.identifiers || []).filter((i) => i.scheme !== "orcid" && i.scheme !== "ror");
      setOrDelete(po, "identifiers", id ? [{ scheme: MINE[type], identifier: id }, ...kept] : kept);
      const out = { ...orig, person_or_org: po };
      const known = new Map((orig.affiliations || []).map((a) => [affText(a), a]));
      const affs = lines.map((l) => known.get(l) || (ROR.test(l) ? { id: l } : { name: l }));
      setOrDelete(out, "affiliations", affs);
      setOrDelete(out, "role", role ? { id: role } : undefined);
      return out;
    },
    locate(row, path) {
      const personal = typeOf(row) === "personal";
      if (path.startsWith("person_or_org.identifiers")) return q(row, personal ? "orcid" : "ror");
      if (path.startsWith("person_or_org.given_name")) return q(row, "given_name");
      if (path.startsWith("person_or_org.type")) return row.querySelector("[data-f=type] input");
      if (path.startsWith("person_or_org")) return q(row, personal ? "family_name" : "name");
      if (path.startsWith("affiliations")) return q(row, "affiliations");
      if (path.startsWith("role")) return q(row, "role");
      return null;
    },
  };
}
