"""Building blocks of the scenario schema: the base model, the lists of the file format and the custom field types.

A domain rule is a plain function that raises :class:`Refus` with one or several ``(sous-chemin, message)``
pairs (the sub-path is relative to the key validated: ``""``, ``".2014"``, ``"[3]"``…; the message is French:
it is shown to the user). :func:`regle` turns such a function into a pydantic validator: the pairs travel in the
context of one :class:`~pydantic_core.PydanticCustomError` (type :data:`REGLE`) and
:mod:`.erreurs` expands them into full key paths, so that one validator can report several errors at once.
"""
from __future__ import annotations

import datetime as _dt
import functools
import math
from collections.abc import Callable, Iterable
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, PlainValidator, ValidationInfo, WithJsonSchema
from pydantic_core import PydanticCustomError

from orleans_gov.base.territoire import CODES_INSEE, COMMUNES, SIREN_AGGLO

FAMILLES_RECETTES = ("fiscalite", "dgf", "autres_recettes")
FAMILLES_DEPENSES = ("personnel", "autres_charges")
FAMILLES = FAMILLES_RECETTES + FAMILLES_DEPENSES
NIVEAUX = ("communes", "agglomeration")
CLES_REPARTITION = ("population", "etp", "usage")
CRITERES_DSC = ("population", "potentiel_fiscal", "revenu")
METHODES_EQUIPEMENT = ("aucun", "investissement_moyen", "inventaire")
FINANCEMENTS_SERVICE = ("imputation_ac", "remboursement")
TYPES_ACTIONS = ("transfert", "service_commun", "pacte_financier", "changement_categorie", "revision_attributions",
                 "dsc_criteres", "fpic_repartition", "schema_mutualisation", "composition_conseil")
HYPOTHESES_SENSIBILITE = FAMILLES + ("taux_interet", "investissement")

REGLE = "regle_scenario"


class Refus(Exception):
    """A domain rule refused a value: ``erreurs`` = [(sub-path, French message), …]."""

    def __init__(self, erreurs: Iterable[tuple[str, str]] | str) -> None:
        self.erreurs = [("", erreurs)] if isinstance(erreurs, str) else list(erreurs)
        super().__init__(self.erreurs[0][1] if self.erreurs else "")


class Collecte:
    """Collects the refusals of several checks (each under its sub-path) and raises them together."""

    def __init__(self) -> None:
        self.erreurs: list[tuple[str, str]] = []

    def __call__(self, sous_chemin: str, verifier: Callable, *args, **kw) -> Any:
        try:
            return verifier(*args, **kw)
        except Refus as r:
            self.erreurs += [(sous_chemin + s, m) for s, m in r.erreurs]
            return None

    def ajouter(self, sous_chemin: str, message: str) -> None:
        self.erreurs.append((sous_chemin, message))

    def fin(self) -> None:
        if self.erreurs:
            raise Refus(self.erreurs)


def regle(fonction: Callable) -> Callable:
    """Wrap a rule raising :class:`Refus` as a pydantic validator (same signature)."""
    @functools.wraps(fonction)
    def validateur(*args, **kw):
        try:
            return fonction(*args, **kw)
        except Refus as r:
            raise PydanticCustomError(REGLE, "{premiere}", {"premiere": r.erreurs[0][1],
                                                            "erreurs": tuple(r.erreurs)}) from None
    return validateur


def vue(chemin: str) -> property:
    """A read-only attribute that reads a nested key: ``annees_moyenne = vue("clect.annees_moyenne")``."""
    noms = chemin.split(".")

    def lire(self: Any) -> Any:
        x = self
        for n in noms:
            x = getattr(x, n)
        return x
    return property(lire, doc=f"``{chemin}`` of the file")


class Modele(BaseModel):
    """Base of every model of the file: strict types, unknown keys refused, frozen once validated; a model also
    reads like a mapping (``h.croissance["communes"]["dgf"]``)."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True, validate_default=True,
                              allow_inf_nan=False)

    def __getitem__(self, cle: str) -> Any:
        if cle not in type(self).model_fields:
            raise KeyError(cle)
        return getattr(self, cle)

    def keys(self):
        return type(self).model_fields.keys()


# ---------------------------------------------------------------------------------------------------------
# numbers, texts, entities, dates: the rules (plain functions) and their messages
# ---------------------------------------------------------------------------------------------------------

def _n(x: Any) -> str:
    return repr(int(x)) if isinstance(x, float) and x.is_integer() else repr(x)


def message_minimum(valeur: Any, minimum: float) -> str:
    if minimum == 0:
        return f"montant négatif refusé (valeur {valeur!r})"
    return f"valeur {valeur!r} inférieure au minimum {_n(minimum)}"


def message_maximum(valeur: Any, maximum: float) -> str:
    return f"valeur {valeur!r} supérieure au maximum {_n(maximum)}"


def nombre(v: Any, *, minimum: float | None = None, maximum: float | None = None, entier: bool = False
           ) -> float | int:
    """A number (not a boolean, not NaN), optionally whole and bounded."""
    if isinstance(v, bool) or not isinstance(v, (int, float)) or (isinstance(v, float) and not math.isfinite(v)):
        raise Refus(f"nombre attendu, pas {v!r}")
    if entier and not float(v).is_integer():
        raise Refus(f"nombre entier attendu, pas {v!r}")
    if minimum is not None and v < minimum:
        raise Refus(message_minimum(v, minimum))
    if maximum is not None and v > maximum:
        raise Refus(message_maximum(v, maximum))
    return int(v) if entier else float(v)


def texte(v: Any) -> str:
    if not isinstance(v, str) or not v.strip():
        raise Refus(f"texte non vide attendu, pas {v!r}")
    return v.strip()


def code_commune(v: Any) -> str | None:
    """INSEE code of a commune of the perimeter given by its INSEE code, SIREN or exact name (else None)."""
    if isinstance(v, bool) or v is None:
        return None
    s = str(v).strip()
    if s in COMMUNES:
        return s
    for code, (siren, nom) in COMMUNES.items():
        if s == siren or s.casefold() == nom.casefold():
            return code
    return None


def commune(v: Any) -> str:
    code = code_commune(v)
    if code is None:
        raise Refus(f"commune inconnue {v!r} (attendu : code INSEE, SIREN ou nom exact d'une des 22 communes de "
                    f"l'agglomération)")
    return code


def entite(v: Any) -> str:
    if str(v).strip() == SIREN_AGGLO:
        return SIREN_AGGLO
    code = code_commune(v)
    if code is None:
        raise Refus(f"entité inconnue {v!r} (attendu : une commune du périmètre ou le SIREN {SIREN_AGGLO} de "
                    f"l'agglomération)")
    return code


def liste_communes(v: Any) -> tuple[str, ...]:
    """``toutes`` or a non-empty list of distinct communes."""
    if v == "toutes":
        return CODES_INSEE
    if not isinstance(v, list) or not v:
        raise Refus(f"liste non vide de communes ou « toutes » attendue, pas {v!r}")
    c = Collecte()
    out: list[str] = []
    for i, x in enumerate(v):
        code = c(f"[{i}]", commune, x)
        if code is not None and code in out:
            c.ajouter(f"[{i}]", f"commune {code} citée deux fois")
        elif code is not None:
            out.append(code)
    c.fin()
    return tuple(out)


def lire_date(v: Any) -> _dt.date:
    """``2016`` (1 January), ``2016-07-01`` (YAML date) or the same as text."""
    if isinstance(v, bool):
        raise Refus(f"date attendue, pas {v!r}")
    if isinstance(v, int):
        if not 1 <= v <= 9999:
            raise Refus(f"date impossible {v} : année sur 4 chiffres attendue (AAAA ou AAAA-MM-JJ)")
        return _dt.date(v, 1, 1)
    if isinstance(v, _dt.datetime):
        return v.date()
    if isinstance(v, _dt.date):
        return v
    if isinstance(v, str):
        try:
            return _dt.date.fromisoformat(v.strip()) if "-" in v else _dt.date(int(v), 1, 1)
        except ValueError:
            raise Refus(f"date illisible {v!r} (format AAAA ou AAAA-MM-JJ)") from None
    raise Refus(f"date attendue (AAAA ou AAAA-MM-JJ), pas {v!r}")


def dans_horizon(annee: int, contexte: dict, quoi: str = "année") -> None:
    """The year lies within the horizon of the scenario (when the horizon itself is valid)."""
    debut, fin = contexte.get("debut"), contexte.get("fin")
    if debut is not None and fin is not None and not debut <= annee <= fin:
        raise Refus(f"{quoi} hors de l'horizon {debut}–{fin}")


def erreurs_horizon(reference: int | None, debut: int, fin: int) -> list[tuple[str, str]]:
    """The horizon starts after the reference year, ends after it starts, and spans 30 years at most (the rules
    involving the reference year are skipped when it is unknown: its own error is reported)."""
    out = []
    if reference is not None and debut <= reference:
        out.append((".debut", f"l'horizon doit commencer après l'année de référence {reference} (valeur {debut})"))
    if fin < debut:
        out.append((".fin", f"fin {fin} antérieure au début {debut}"))
    elif reference is not None and fin - reference > 30:
        out.append((".fin", "horizon de plus de 30 ans refusé"))
    return out


def _contexte(info: ValidationInfo) -> dict:
    return info.context or {}


# ---------------------------------------------------------------------------------------------------------
# pydantic field types (each with its JSON schema, for the reference table)
# ---------------------------------------------------------------------------------------------------------

def type_regle(base: Any, fonction: Callable, schema: dict) -> Any:
    """``Annotated[base, …]`` validated by the rule ``fonction`` (wrapped by :func:`regle`), with its JSON schema."""
    return Annotated[base, PlainValidator(regle(fonction)), WithJsonSchema(schema)]


Texte = type_regle(str, texte, {"type": "string", "minLength": 1})
Taux = Annotated[float, Field(ge=-0.5, le=0.5)]
Part = Annotated[float, Field(ge=0, le=1)]
Montant = Annotated[float, Field(ge=0)]
Commune = type_regle(str, commune, {"type": "string", "description": "code INSEE, SIREN ou nom exact"})
Entite = type_regle(str, entite, {"type": "string", "description": "code INSEE, SIREN ou nom exact, ou SIREN de "
                                                                  "l'agglomération"})
Communes = type_regle(tuple[str, ...], liste_communes, {
    "anyOf": [{"const": "toutes"}, {"type": "array", "items": {"type": "string"}, "minItems": 1}]})


def _date_action(v: Any, info: ValidationInfo) -> _dt.date:
    """Date of effect of an action: after the reference year and within the horizon."""
    d = lire_date(v)
    ctx = _contexte(info)
    reference = ctx.get("reference")
    if reference is not None and d.year <= reference:
        raise Refus(f"date impossible {d.isoformat()} : antérieure ou égale à l'année de référence {reference} "
                    f"(l'action doit suivre l'année de référence)")
    dans_horizon(d.year, ctx, f"date impossible {d.isoformat()} :")
    return d


DateAction = type_regle(_dt.date, _date_action, {"anyOf": [{"type": "integer"}, {"type": "string", "format": "date"}]})


def _annee_horizon(v: Any, info: ValidationInfo) -> int:
    a = int(nombre(v, entier=True))
    dans_horizon(a, _contexte(info), f"année impossible {a} :")
    return a


AnneeHorizon = type_regle(int, _annee_horizon, {"type": "integer"})


def _annee_cle(k: Any) -> int:
    return int(nombre(k, entier=True, minimum=1990, maximum=2100))


def _serie_taux(v: Any, info: ValidationInfo) -> dict[int, float]:
    """A yearly rate: one number for every year, or ``{année: taux}`` covering every projected year (years outside
    the projection are checked but not kept: a shorter horizon may reuse a file)."""
    annees = _contexte(info).get("annees")
    if not isinstance(v, dict):
        taux = nombre(v, minimum=-0.5, maximum=0.5)
        return {a: taux for a in annees or ()}
    c = Collecte()
    out = {}
    for k, x in v.items():
        a = c(f".{k}", _annee_cle, k)
        t = c(f".{k}", nombre, x, minimum=-0.5, maximum=0.5)
        if a is not None and t is not None:
            out[a] = t
    c.fin()
    manquantes = [a for a in annees or () if a not in out]
    if manquantes:
        raise Refus(f"taux manquant pour les années {manquantes}")
    return {a: out[a] for a in annees} if annees else out


SerieTaux = type_regle(dict[int, float], _serie_taux, {"anyOf": [
    {"type": "number", "minimum": -0.5, "maximum": 0.5},
    {"type": "object", "x-cle": "année", "additionalProperties": {"type": "number", "minimum": -0.5, "maximum": 0.5}}]})


def _montants_par_entite(v: Any, info: ValidationInfo) -> dict[str, dict[int, float]]:
    """``{entité: {année projetée: montant k€ ≥ 0}}``."""
    if not isinstance(v, dict):
        raise Refus(f"dictionnaire entité -> {{année: montant k€}} attendu, pas {v!r}")
    annees = _contexte(info).get("annees")
    c = Collecte()
    out: dict[str, dict[int, float]] = {}
    for e, par_an in v.items():
        ce = c(f".{e}", entite, e)
        if not isinstance(par_an, dict):
            c.ajouter(f".{e}", f"dictionnaire année -> montant k€ attendu, pas {par_an!r}")
            continue
        for a, m in par_an.items():
            an = c(f".{e}.{a}", nombre, a, entier=True)
            if an is not None and annees and an not in annees:
                c.ajouter(f".{e}.{a}", f"année {an} hors des années projetées {annees[0]}–{annees[-1]}")
            montant = c(f".{e}.{a}", nombre, m, minimum=0)
            if ce is not None and an is not None and montant is not None:
                out.setdefault(ce, {})[int(an)] = montant
    c.fin()
    return out


MontantsParEntite = type_regle(dict[str, dict[int, float]], _montants_par_entite, {
    "type": "object", "x-cle": "entité", "additionalProperties": {
        "type": "object", "x-cle": "année", "additionalProperties": {"type": "number", "minimum": 0}}})


def valeurs_par_entite(v: Any, *, verifier_valeur: Callable, communes_seules: bool = False
                       ) -> dict[str, float]:
    """``{entité: valeur}``, each key an entity (or a commune) and each value checked by ``verifier_valeur``."""
    if not isinstance(v, dict):
        raise Refus(f"dictionnaire {'commune' if communes_seules else 'entité'} -> valeur attendu, pas {v!r}")
    c = Collecte()
    out = {}
    for k, x in v.items():
        ck = c(f".{k}", commune if communes_seules else entite, k)
        val = c(f".{k}", verifier_valeur, x)
        if ck is not None and val is not None:
            out[ck] = val
    c.fin()
    return out


def _part(x: Any) -> float:
    return nombre(x, minimum=0, maximum=1)


def _montant(x: Any) -> float:
    return nombre(x, minimum=0)


def _parts(v: Any) -> float | dict[str, float]:
    """A share in [0, 1]: one number for every entity, or ``{entité: part}`` (completeness checked by the action,
    which knows its participants)."""
    if isinstance(v, dict):
        return valeurs_par_entite(v, verifier_valeur=_part)
    return _part(v)


PartsParEntite = type_regle(float | dict[str, float], _parts, {"anyOf": [
    {"type": "number", "minimum": 0, "maximum": 1},
    {"type": "object", "x-cle": "entité", "additionalProperties": {"type": "number", "minimum": 0, "maximum": 1}}]})

MontantsParCommune = type_regle(dict[str, float], functools.partial(
    valeurs_par_entite, verifier_valeur=_montant, communes_seules=True), {
        "type": "object", "x-cle": "commune", "additionalProperties": {"type": "number", "minimum": 0}})
MontantsParEntiteSimple = type_regle(dict[str, float], functools.partial(valeurs_par_entite, verifier_valeur=_montant),
                                     {"type": "object", "x-cle": "entité",
                                      "additionalProperties": {"type": "number", "minimum": 0}})


def completer_parts(parts: float | dict[str, float], entites: tuple[str, ...]) -> dict[str, float]:
    """The share of every entity: the same number for all, or the mapping, which must name each of them."""
    if not isinstance(parts, dict):
        return {e: parts for e in entites}
    manquantes = [e for e in entites if e not in parts]
    if manquantes:
        raise Refus(f"part manquante pour {manquantes}")
    return dict(parts)


def doublons_retires(valeurs: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(valeurs))
