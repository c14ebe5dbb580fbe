"""The key reference table of ``config/scenarios/README.md``, generated from the JSON schema of the models.

``python -m orleans_gov.scenarios.schema`` rewrites the table between the markers of the README (a test
checks that it is up to date).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from orleans_gov.base.catalogue import RACINE_PROJET
from orleans_gov.base.fichiers import ecrire_atomique
from orleans_gov.base.parametres import Parametres, parametres
from orleans_gov.scenarios.dotations import PARAMETRES_MOTEUR
from orleans_gov.scenarios.schema.champs import TYPES_ACTIONS
from orleans_gov.scenarios.schema.modele import Scenario

README = RACINE_PROJET / "config" / "scenarios" / "README.md"
DEBUT = ("<!-- début de la référence des clés : générée depuis le modèle par "
         "orleans_gov.scenarios.schema.table_reference(), ne pas modifier à la main -->")
FIN = "<!-- fin de la référence des clés -->"
SECTIONS = (("", "Clés de premier niveau"), ("hypotheses", "Hypothèses (`hypotheses`)"))


def schema_json() -> dict:
    """The JSON schema of a scenario file (editors can validate the YAML files with it)."""
    return Scenario.model_json_schema()


def _resoudre(p: dict, defs: dict) -> dict:
    """A property with its ``$ref`` (also ``anyOf: [$ref, null]``: an optional nested model) resolved."""
    if "$ref" in p:
        return {**defs[p["$ref"].split("/")[-1]], **{k: v for k, v in p.items() if k != "$ref"}}
    refs = [x for x in p.get("anyOf", ()) if "$ref" in x]
    if refs and all("$ref" in x or x.get("type") == "null" for x in p["anyOf"]):
        return {**_resoudre(refs[0], defs), **{k: v for k, v in p.items() if k != "anyOf"}}
    return p


def _sans_null(p: dict) -> dict:
    """``anyOf: [X, null]`` (an optional key) read as X."""
    membres = [x for x in p.get("anyOf", ()) if x.get("type") != "null"]
    if "anyOf" in p and len(membres) == 1:
        return {**membres[0], **{k: v for k, v in p.items() if k != "anyOf"}}
    return p


def _nombre(x: Any) -> str:
    return str(int(x)) if isinstance(x, float) and x.is_integer() else str(x)


def _valeurs(p: dict) -> str:
    """What a key accepts, in French."""
    if "const" in p:
        return f"`{p['const']}`"
    if "enum" in p:
        return " \\| ".join(f"`{v}`" for v in p["enum"])
    if "anyOf" in p:
        return " ou ".join(_valeurs(x) for x in p["anyOf"] if x.get("type") != "null")
    t = p.get("type")
    if t in ("number", "integer"):
        nom = "entier" if t == "integer" else "nombre"
        bas = _nombre(p["minimum"]) if "minimum" in p else (f"> {_nombre(p['exclusiveMinimum'])}"
                                                              if "exclusiveMinimum" in p else None)
        if "minimum" in p and "maximum" in p:
            return f"{nom} de {bas} à {_nombre(p['maximum'])}"
        if bas is not None:
            return f"{nom} ≥ {bas}" if "minimum" in p else f"{nom} {bas}"
        return nom
    if t == "boolean":
        return "`true` \\| `false`"
    if t == "string":
        return "date" if p.get("format") == "date" else "texte"
    if t == "array":
        items = p.get("items") or {}
        return f"liste ({_valeurs(items)})" if _valeurs(items) else "liste"
    if t == "object":
        sous = p.get("additionalProperties")
        cle = p.get("x-cle", "clé")
        return f"dictionnaire {{{cle}: {_valeurs(sous)}}}" if isinstance(sous, dict) else "dictionnaire"
    return ""


def _defaut(p: dict, obligatoire: bool) -> str:
    if obligatoire:
        return "obligatoire"
    if "default" not in p:
        return "—"
    d = p["default"]
    if d is None:
        return "absent"
    return f"`{json.dumps(d, ensure_ascii=False) if isinstance(d, (dict, list, bool)) else _nombre(d)}`"


def _lignes(schema: dict, defs: dict, prefixe: str, arreter: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out = []
    requis = set(schema.get("required", ()))
    for nom, brut in schema.get("properties", {}).items():
        cle = f"{prefixe}.{nom}" if prefixe else nom
        p = _sans_null(_resoudre(brut, defs))
        description = " ".join(str(p.get("description", "")).split())
        if "properties" in p:                        # nested model: its own line, then its keys
            out.append((cle, _defaut(p, nom in requis), "dictionnaire", description))
            if cle not in arreter:
                out += _lignes(p, defs, cle, arreter)
        elif p.get("type") == "array" and "$ref" in p.get("items", {}):   # list of dictionaries: their keys
            out.append((cle, _defaut(p, nom in requis), "liste", description))
            out += _lignes(_resoudre(p["items"], defs), defs, f"{cle}[]", arreter)
        else:
            out.append((cle, _defaut(p, nom in requis), _valeurs(p), description))
    return out


def _table(lignes: list[tuple[str, ...]]) -> list[str]:
    out = ["| clé | défaut | valeurs admises | contenu |", "|---|---|---|---|"]
    out += [f"| `{c}` | {d} | {v} | {t} |" for c, d, v, t in lignes]
    return out


def _parametres(regles: Parametres) -> list[str]:
    out = ["| paramètre | unité | valeurs datées | référence |", "|---|---|---|---|"]
    for nom in PARAMETRES_MOTEUR:
        p = regles.parametre(nom)
        valeurs = " ; ".join(f"{_nombre(v.valeur)} au {v.debut.isoformat()}" for v in p.valeurs)
        refs = " ; ".join(dict.fromkeys(" ".join(v.reference.split()) for v in p.valeurs))
        out.append(f"| `{nom}` | {p.unite} | {valeurs} | {refs} |")
    return out


def markdown(regles: Parametres | None = None) -> str:
    """The reference of every key of a scenario file (and of the legal parameters it may override), as Markdown."""
    schema = schema_json()
    defs = schema.get("$defs", {})
    out = []
    for prefixe, titre in SECTIONS:
        sous = schema if not prefixe else _resoudre(schema["properties"][prefixe], defs)
        out += [f"### {titre}", "", *_table(_lignes(sous, defs, prefixe, arreter=("hypotheses",))), ""]
    mapping = schema["properties"]["actions"]["items"]["discriminator"]["mapping"]
    for tag in TYPES_ACTIONS:
        modele = _resoudre({"$ref": mapping[tag]}, defs)
        doc = " ".join(str(modele.get("description", "")).split())
        out += [f"### Action `{tag}`", "", doc, "", *_table(_lignes(modele, defs, "actions[]")), ""]
    out += ["### Paramètres légaux (`parametres`)", "",
            "Valeurs lues par le moteur pour chaque année projetée (fichier "
            "`src/orleans_gov/base/parametres/dotations.yaml`) ; une surcharge `parametres: {nom: valeur}` "
            "remplace la valeur à toutes les dates.", "", *_parametres(regles or parametres()), ""]
    return "\n".join(out)


def table_reference(readme: str | Path | None = None, regles: Parametres | None = None) -> str:
    """The generated reference table (Markdown); with ``readme``, also written between its markers
    (:data:`DEBUT`, :data:`FIN`) when it changed."""
    texte = markdown(regles)
    if readme is not None:
        readme = Path(readme)
        contenu = readme.read_text(encoding="utf-8")
        avant, reste = contenu.split(DEBUT, 1)
        _ancien, apres = reste.split(FIN, 1)
        nouveau = f"{avant}{DEBUT}\n\n{texte}\n{FIN}{apres}"
        if nouveau != contenu:
            ecrire_atomique(readme, nouveau)
    return texte
