"""The YAML edge of the project, strict: what PyYAML's ``safe_load`` lets through in silence is refused here.

Used for scenario files (:mod:`orleans_gov.scenarios.schema.lecture`: everything below) and, for the duplicated
keys and non-finite numbers, for the package's own legal parameters and vocabulary (:mod:`.parametres`,
:mod:`.vocabulaire`). The parser is libyaml's (``yaml.CSafeLoader``) when PyYAML has it (≈ 15× faster on the
parameter files), PyYAML's pure-Python one otherwise; both build the same tree.

- a key written twice in the same mapping (PyYAML keeps the last one: a horizon silently becomes another) is an
  error naming both lines; the keys brought by a merge (``<<: *base``) may be overridden, as YAML intends;
- aliases (``*ancre``) are allowed, but the tree they expand to is bounded (:data:`ELEMENTS_MAX` elements): a
  « billion laughs » file of a few hundred bytes expands to hundreds of millions of elements and would exhaust
  memory as soon as anything walks it (validation, an error message quoting it);
- ``.inf`` / ``.nan`` (YAML's non-finite floats) are refused wherever they stand, with their key path: an infinite
  cost or amount makes every result « n.d. » without an error;
- the text is UTF-8 (with or without byte-order mark) or UTF-16 with its byte-order mark; anything else (a file saved
  in Windows-1252, UTF-16 without mark) is refused with the line and the byte, never decoded by guess.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import yaml

ELEMENTS_MAX = 100_000
"""Elements (mappings, lists, scalars) a scenario tree may hold once aliases are expanded (the shipped scenarios
hold a few hundred)."""
TAILLE_MAX = 1 << 20
"""Bytes of a scenario file (the shipped ones weigh a few kB)."""


class RefusYaml(ValueError):
    """A strict-YAML refusal: ``cle`` (key path, ``""`` for the file) and the French ``raison``."""

    def __init__(self, cle: str, raison: str) -> None:
        super().__init__(raison)
        self.cle, self.raison = cle, raison


def _mapping(chargeur: yaml.SafeLoader, noeud: yaml.MappingNode, deep: bool = False) -> dict:
    vues: dict[Any, int] = {}
    for cle_noeud, _valeur in noeud.value:
        if cle_noeud.tag == "tag:yaml.org,2002:merge":
            continue
        cle = chargeur.construct_object(cle_noeud, deep=True)
        try:
            if cle in vues:
                ligne = cle_noeud.start_mark.line + 1
                raise RefusYaml("", f"clé « {str(cle)[:60]} » écrite deux fois dans le même bloc (lignes {vues[cle]} "
                                f"et {ligne}) : YAML garderait la seconde en silence ; n'en garder qu'une")
            vues[cle] = cle_noeud.start_mark.line + 1
        except TypeError:   # unhashable key: PyYAML reports it below
            pass
    chargeur.flatten_mapping(noeud)
    return chargeur.construct_mapping(noeud, deep=deep)


def chargeur_strict(base: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)) -> type:
    """A subclass of ``base`` (a safe loader: libyaml's ``CSafeLoader`` by default when PyYAML has it) refusing
    duplicated keys."""
    classe = type("ChargeurStrict", (base,), {"__doc__": f"``{base.__name__}`` refusing duplicated keys."})
    classe.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
    return classe


_Chargeur = chargeur_strict()


def decoder(contenu: bytes) -> str:
    """The text of a scenario file (see the module docstring); :class:`RefusYaml` otherwise."""
    if len(contenu) > TAILLE_MAX:
        raise RefusYaml("", f"fichier trop gros ({len(contenu)} octets, au plus {TAILLE_MAX}) : ce n'est pas un "
                        "scénario")
    if contenu[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return contenu.decode("utf-16")
        except UnicodeDecodeError:
            raise RefusYaml("", "fichier UTF-16 illisible : l'enregistrer en UTF-8") from None
    if b"\x00" in contenu:
        ligne = contenu[: contenu.index(b"\x00")].count(b"\n") + 1
        raise RefusYaml("", f"octet nul (ligne {ligne}) : fichier UTF-16 sans marque d'ordre des octets ou binaire ; "
                        "l'enregistrer en UTF-8")
    try:
        return contenu.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        ligne = contenu[: exc.start].count(b"\n") + 1
        octet = contenu[exc.start: exc.start + 1]
        raise RefusYaml("", f"encodage non UTF-8 (ligne {ligne}, octet 0x{octet.hex()}) : fichier probablement "
                        "enregistré en Windows-1252 (Latin-1) ; l'enregistrer en UTF-8") from None


def _chemin(parent: str, cle: Any) -> str:
    if isinstance(cle, int) and not isinstance(cle, bool):
        return f"{parent}[{cle}]"
    return f"{parent}.{cle}" if parent else str(cle)


def verifier_arbre(arbre: Any) -> None:
    """Refuse a tree larger than :data:`ELEMENTS_MAX` once aliases are expanded, or holding ``.inf``/``.nan``.

    Walks the tree as validation would, each shared (aliased) node once per reference, and stops at the bound.
    """
    compte = 0
    pile: list[tuple[str, Any]] = [("", arbre)]
    while pile:
        chemin, noeud = pile.pop()
        compte += 1
        if compte > ELEMENTS_MAX:
            raise RefusYaml("", f"plus de {ELEMENTS_MAX} éléments une fois les alias (*ancre) développés : fichier "
                            "refusé (alias imbriqués, « billion laughs »)")
        if isinstance(noeud, float) and not math.isfinite(noeud):
            raise RefusYaml(chemin or "(racine)", f"nombre {'infini' if math.isinf(noeud) else 'indéfini'} "
                            f"({noeud}) refusé : saisir une valeur finie")
        if isinstance(noeud, Mapping):
            pile.extend((_chemin(chemin, k), v) for k, v in reversed(list(noeud.items())))
        elif isinstance(noeud, list):
            pile.extend((_chemin(chemin, i), v) for i, v in reversed(list(enumerate(noeud))))


def charger(texte: str) -> Any:
    """Parse YAML text strictly (duplicate keys refused) and check the tree (:func:`verifier_arbre`)."""
    arbre = yaml.load(texte, Loader=_Chargeur)  # noqa: S506 — a (C)SafeLoader subclass
    verifier_arbre(arbre)
    return arbre
