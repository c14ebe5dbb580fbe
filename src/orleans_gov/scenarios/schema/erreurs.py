"""From pydantic's validation errors to the scenario's: the key path of the file (``actions[1].communes[3]``) and a
French message for each, all gathered in one :class:`~orleans_gov.base.erreurs.ErreurScenario`.

pydantic reports a location (``loc``: field names, list indexes, and the tag of a discriminated union) and an
English message; the location is walked along the parsed YAML tree (so that tags and internal names disappear and
list indexes are written ``[i]``) and the message is rewritten from the error type and its context. Errors of the
domain rules (type :data:`~.champs.REGLE`) already carry French messages and their own sub-paths.
"""
from __future__ import annotations

import re
import types
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from orleans_gov.base.erreurs import ErreurScenario, citer, tronquer
from orleans_gov.scenarios.schema.champs import REGLE, TYPES_ACTIONS, message_maximum, message_minimum

Erreur = tuple[str, str]


def erreur_scenario(erreurs: Sequence[Erreur], fichier: str | Path | None) -> ErreurScenario:
    """One :class:`ErreurScenario` for every error: ``erreurs`` (list of (key path, message)), ``cle`` and
    ``raison`` (the first one); its message names the file and each key path (``""``: the file as a whole)."""
    erreurs = list(erreurs)

    def ligne(cle: str, raison: str) -> str:
        raison = tronquer(raison, 2000)   # a message never carries a whole expanded value
        return f"clé « {cle} » : {raison}" if cle else raison       # "" : the file itself
    if len(erreurs) == 1:
        texte = ligne(*erreurs[0])
    else:
        texte = f"{len(erreurs)} erreurs :\n" + "\n".join(f"- {ligne(c, m)}" for c, m in erreurs)
    err = ErreurScenario(texte, fichier=fichier)
    err.erreurs = erreurs  # type: ignore[attr-defined]
    err.cle, err.raison = erreurs[0]  # type: ignore[attr-defined]
    return err


# ---------------------------------------------------------------------------------------------------------
# locations
# ---------------------------------------------------------------------------------------------------------

def _joindre(chemin: str, suite: str) -> str:
    if not suite:
        return chemin
    if not chemin:
        return suite.lstrip(".")
    return chemin + suite


def _chemin(loc: Sequence[Any], arbre: Any, *, cle_absente: bool = True) -> str:
    """Key path of a pydantic location, walked along the parsed tree (union tags and validator names skipped;
    with ``cle_absente`` the last element is kept even when the tree lacks it: it may be a missing key)."""
    chemin, noeud = "", arbre
    for i, el in enumerate(loc):
        dernier = cle_absente and i == len(loc) - 1
        if isinstance(noeud, list) and isinstance(el, int) and 0 <= el < len(noeud):
            chemin, noeud = f"{chemin}[{el}]", noeud[el]
        elif isinstance(noeud, dict) and el in noeud:
            chemin, noeud = _joindre(chemin, f".{el}"), noeud[el]
        elif dernier and isinstance(el, str) and el != "[key]":
            chemin, noeud = _joindre(chemin, f".{el}"), None
    return chemin


_SEGMENT = re.compile(r"\[(\d+)\]|\.?([^.\[]+)")


def _ordre(chemin: str, arbre: Any) -> tuple[int, ...]:
    """Position of a key path in the file (keys in the order written, missing keys after the others)."""
    out, noeud = [], arbre
    for index, cle in _SEGMENT.findall(chemin):
        if index and isinstance(noeud, list):
            out.append(int(index))
            noeud = noeud[int(index)] if int(index) < len(noeud) else None
        elif isinstance(noeud, dict):
            cles = [str(k) for k in noeud]
            pos = cles.index(cle) if cle in cles else len(cles)
            out.append(pos)
            noeud = list(noeud.values())[pos] if pos < len(cles) else None
        else:
            out.append(10**6)
    return tuple(out)


def _deballer(t: Any) -> Any:
    while get_origin(t) is Annotated:
        t = get_args(t)[0]
    return t


def _suivant(t: Any, el: Any) -> Any:
    """The type reached from type ``t`` by the location element ``el`` (field, index or union tag)."""
    t = _deballer(t)
    if isinstance(t, type) and issubclass(t, BaseModel):
        champ = t.model_fields.get(el) if isinstance(el, str) else None
        return champ.annotation if champ else None
    origine = get_origin(t)
    if origine in (Union, types.UnionType):
        membres = [_deballer(a) for a in get_args(t) if a is not type(None)]
        for m in membres:
            if isinstance(m, type) and issubclass(m, BaseModel) and "type" in m.model_fields and \
                    get_origin(m.model_fields["type"].annotation) is Literal and \
                    el in get_args(m.model_fields["type"].annotation):
                return m
        for m in membres:
            r = _suivant(m, el)
            if r is not None:
                return r
        return None
    if origine in (tuple, list) and isinstance(el, int):
        return get_args(t)[0]
    return None


def _cles_admises(modele: type[BaseModel], loc: Sequence[Any]) -> list[str] | None:
    t: Any = modele
    for el in loc[:-1]:
        t = _suivant(t, el)
        if t is None:
            return None
    t = _deballer(t)
    return list(t.model_fields) if isinstance(t, type) and issubclass(t, BaseModel) else None


# ---------------------------------------------------------------------------------------------------------
# messages
# ---------------------------------------------------------------------------------------------------------

_ATTENDU = {
    "model_type": "un dictionnaire (clé: valeur) est attendu", "model_attributes_type":
        "un dictionnaire (clé: valeur) est attendu", "dict_type": "un dictionnaire (clé: valeur) est attendu",
    "float_type": "nombre attendu", "float_parsing": "nombre attendu", "finite_number": "nombre fini attendu",
    "int_type": "nombre entier attendu", "int_from_float": "nombre entier attendu",
    "int_parsing": "nombre entier attendu", "bool_type": "vrai/faux attendu", "bool_parsing": "vrai/faux attendu",
    "string_type": "texte attendu", "list_type": "liste attendue", "tuple_type": "liste attendue",
}


def _valeurs(texte: str) -> str:
    return ", ".join(re.findall(r"'([^']*)'", texte)) or texte


def message(e: dict, modele: type[BaseModel]) -> tuple[str, str]:
    """(suffix of the key path, French message) of one pydantic error other than a domain rule's."""
    t, v, ctx = e["type"], e.get("input"), e.get("ctx") or {}
    if t == "missing":
        return "", "clé obligatoire absente"
    if t == "extra_forbidden":
        admises = _cles_admises(modele, e["loc"])
        return "", "clé inconnue" + (f" (clés admises : {', '.join(admises)})" if admises else "")
    if t in _ATTENDU:
        return "", f"{_ATTENDU[t]}, pas {citer(v)}"
    if t == "greater_than_equal":
        return "", message_minimum(v, ctx["ge"])
    if t == "less_than_equal":
        return "", message_maximum(v, ctx["le"])
    if t == "greater_than":
        return "", f"valeur {citer(v)} : strictement supérieure à {ctx['gt']!r} attendue"
    if t == "less_than":
        return "", f"valeur {citer(v)} : strictement inférieure à {ctx['lt']!r} attendue"
    if t == "literal_error":
        return "", f"valeur {citer(v)} inconnue (valeurs admises : {_valeurs(str(ctx.get('expected', '')))})"
    if t == "union_tag_invalid":
        return ".type", f"valeur {ctx.get('tag')!r} inconnue (valeurs admises : {', '.join(TYPES_ACTIONS)})"
    if t == "union_tag_not_found":
        return ".type", f"chaque action doit avoir un « type » ({', '.join(TYPES_ACTIONS)})"
    if t == "too_short":
        return "", "liste vide refusée"
    return "", f"valeur invalide {citer(v)} (erreur « {t} »)"


def erreurs_validation(exc: ValidationError, arbre: Any, modele: type[BaseModel]) -> list[Erreur]:
    """Every error of a validation, as (key path, French message), in the order of the file, without repeats."""
    out: list[Erreur] = []
    for e in exc.errors(include_url=False):
        chemin = _chemin(e["loc"], arbre, cle_absente=e["type"] != REGLE)
        if e["type"] == REGLE:
            paires = list(e["ctx"]["erreurs"])
        else:
            paires = [message(e, modele)]
        for suite, texte in paires:
            out.append((_joindre(chemin, suite) or "(racine)", texte))
    return ordonner(out, arbre)


def ordonner(erreurs: Sequence[Erreur], arbre: Any) -> list[Erreur]:
    """Errors in the order of their keys in the file, each once."""
    return sorted(dict.fromkeys(erreurs), key=lambda ce: _ordre(ce[0], arbre))
