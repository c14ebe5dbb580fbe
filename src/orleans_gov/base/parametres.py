"""Dated legal parameters (OpenFisca-style): every legal amount or rate the package uses, with its value by date and
its legal reference, in the YAML files of ``orleans_gov/base/parametres/``.

A parameter is a leaf of the YAML tree::

    capacite_desendettement:
      seuil_vigilance:
        description: Seuil usuel de vigilance de la capacité de désendettement
        unite: années
        reference: "Lecture usuelle (DGCL, Cour des comptes) ; ..."
        valeurs:
          2000-01-01: 8
          2018-01-01: {valeur: 8, reference: "..."}

``valeurs`` maps the date from which a value applies (ISO date; a bare year means 1 January) to a number, to
``null`` (the rule does not exist from that date) or to ``{valeur, reference}`` when the legal reference changes.
Code asks for the value in force at a date: ``parametres()("capacite_desendettement.seuil_vigilance", 2016)``.
A scenario may override a parameter explicitly (:meth:`Parametres.avec`); the override is recorded and shown.

A **barème** (dated table of brackets) is a leaf with ``bareme`` instead of ``valeurs``::

    conseil_communautaire:
      sieges_tableau:
        description: Nombre de sièges du tableau du III de l'art. L5211-6-1 CGCT
        unite: sièges
        reference: "CGCT art. L5211-6-1 III"
        bareme:
          2010-12-18: [[0, 16], [3500, 18], [5000, 22]]
          2020-01-01: {tranches: [[0, 16], [3500, 18]], reference: "..."}

Each version maps a start date to a list of ``[seuil, valeur]`` pairs (strictly increasing ``seuil``; a bracket runs
from its ``seuil`` included to the next ``seuil`` excluded, the last one has no upper bound), to ``null`` (no barème
from that date) or to ``{tranches, reference}``. Code asks for the value of the bracket containing an amount at a
date: ``parametres().bareme("conseil_communautaire.sieges_tableau")(282_828, 2019)`` → 72.
"""
from __future__ import annotations

import datetime as _dt
import functools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from orleans_gov.base.erreurs import ErreurDonnees
from orleans_gov.base.yaml_strict import RefusYaml, charger as charger_yaml
"""libyaml's safe loader when PyYAML has it (same documents, ~15× faster: bench/RESULTS_latence.md)."""

DOSSIER_PARAMETRES = Path(__file__).resolve().parent / "parametres"
CLES_FEUILLE = {"description", "unite", "reference", "valeurs", "note"}
CLES_BAREME = {"description", "unite", "reference", "bareme", "note"}


def date_effet(quand: Any) -> _dt.date:
    """A date from a year (``2016`` → 1 January 2016), a ``date``/``datetime`` or an ISO string."""
    if isinstance(quand, bool):
        raise ValueError(f"date invalide : {quand!r}")
    if isinstance(quand, _dt.datetime):
        return quand.date()
    if isinstance(quand, _dt.date):
        return quand
    if isinstance(quand, (int,)) or (hasattr(quand, "item") and float(quand).is_integer()):
        return _dt.date(int(quand), 1, 1)
    if isinstance(quand, str):
        s = quand.strip()
        return _dt.date(int(s), 1, 1) if s.isdigit() else _dt.date.fromisoformat(s)
    raise ValueError(f"date invalide : {quand!r} (attendu : année, date ou AAAA-MM-JJ)")


@dataclass(frozen=True)
class Valeur:
    debut: _dt.date
    valeur: float | None
    reference: str


@dataclass(frozen=True)
class Parametre:
    """One dated parameter: its values by start date and their legal references."""

    nom: str
    description: str
    unite: str
    reference: str
    valeurs: tuple[Valeur, ...]
    note: str = ""
    surcharge: bool = False

    def en_vigueur(self, quand: Any) -> Valeur:
        d = date_effet(quand)
        courant = None
        for v in self.valeurs:
            if v.debut <= d:
                courant = v
        if courant is None or courant.valeur is None:
            premier = self.valeurs[0].debut.isoformat() if self.valeurs else "—"
            raise KeyError(f"paramètre « {self.nom} » sans valeur en vigueur au {d.isoformat()} "
                           f"(première valeur : {premier})")
        return courant

    def __call__(self, quand: Any) -> float:
        return self.en_vigueur(quand).valeur  # type: ignore[return-value]


@dataclass(frozen=True)
class VersionBareme:
    debut: _dt.date
    tranches: tuple[tuple[float, float], ...] | None
    reference: str


def valeur_tranche(tranches: tuple[tuple[float, float], ...], assiette: float) -> float:
    """The value of the bracket containing ``assiette`` (bracket = [seuil, next seuil[; the last is unbounded)."""
    if assiette < tranches[0][0]:
        raise ValueError(f"assiette {assiette!r} sous le premier seuil du barème ({tranches[0][0]!r})")
    valeur = tranches[0][1]
    for seuil, v in tranches:
        if assiette >= seuil:
            valeur = v
        else:
            break
    return valeur


@dataclass(frozen=True)
class Bareme:
    """One dated barème (table of brackets): its versions by start date and their legal references."""

    nom: str
    description: str
    unite: str
    reference: str
    versions: tuple[VersionBareme, ...]
    note: str = ""

    def en_vigueur(self, quand: Any) -> VersionBareme:
        d = date_effet(quand)
        courant = None
        for v in self.versions:
            if v.debut <= d:
                courant = v
        if courant is None or courant.tranches is None:
            premier = self.versions[0].debut.isoformat() if self.versions else "—"
            raise KeyError(f"barème « {self.nom} » sans version en vigueur au {d.isoformat()} "
                           f"(première version : {premier})")
        return courant

    def __call__(self, assiette: float, quand: Any) -> float:
        return valeur_tranche(self.en_vigueur(quand).tranches, assiette)  # type: ignore[arg-type]


def _tranches(nom: str, brut: Any, fichier: Path) -> tuple[tuple[float, float], ...]:
    if not isinstance(brut, (list, tuple)) or not brut:
        raise ErreurDonnees(f"barème « {nom} » : liste de [seuil, valeur] attendue", fichier=fichier, colonne=nom,
                            valeur=brut)
    tranches = []
    for paire in brut:
        if (not isinstance(paire, (list, tuple)) or len(paire) != 2
                or any(isinstance(x, bool) or not isinstance(x, (int, float)) for x in paire)):
            raise ErreurDonnees(f"barème « {nom} » : tranche [seuil, valeur] numérique attendue", fichier=fichier,
                                colonne=nom, valeur=paire)
        tranches.append((float(paire[0]), float(paire[1])))
    if any(b[0] <= a[0] for a, b in zip(tranches, tranches[1:])):
        raise ErreurDonnees(f"barème « {nom} » : seuils non strictement croissants", fichier=fichier, colonne=nom,
                            valeur=brut)
    return tuple(tranches)


def _versions(nom: str, noeud: Mapping, fichier: Path, cles: set[str], champ: str, cle_valeur: str, genre: str,
              convertir) -> tuple[str, list]:
    """The dated versions of a leaf (``valeurs`` of a parameter, ``bareme`` of a scale): (default reference,
    [(start date, converted value or None, reference)…]) sorted by date. One reading for both kinds of leaf."""
    inconnues = set(noeud) - cles
    if inconnues or not isinstance(noeud.get(champ), Mapping):
        raise ErreurDonnees(f"{genre} « {nom} » mal formé (clés attendues : {', '.join(sorted(cles))})",
                            fichier=fichier, colonne=nom)
    ref_defaut = str(noeud.get("reference", "")).strip()
    if not ref_defaut:
        raise ErreurDonnees(f"{genre} « {nom} » sans référence légale", fichier=fichier, colonne=nom)
    versions = []
    for debut, v in noeud[champ].items():
        try:
            d = date_effet(debut)
        except ValueError as exc:
            raise ErreurDonnees(str(exc), fichier=fichier, colonne=nom, valeur=debut) from None
        ref = ref_defaut
        if isinstance(v, Mapping):
            ref = str(v.get("reference", ref_defaut))
            v = v.get(cle_valeur)
        versions.append((d, None if v is None else convertir(v), ref))
    versions.sort(key=lambda x: x[0])
    return ref_defaut, versions


def _nombre(nom: str, fichier: Path):
    def convertir(v):
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise ErreurDonnees("valeur numérique attendue", fichier=fichier, colonne=nom, valeur=v)
        return float(v)
    return convertir


def _bareme(nom: str, noeud: Mapping, fichier: Path) -> Bareme:
    ref, versions = _versions(nom, noeud, fichier, CLES_BAREME, "bareme", "tranches", "barème",
                              lambda v: _tranches(nom, v, fichier))
    return Bareme(nom=nom, description=str(noeud.get("description", "")), unite=str(noeud.get("unite", "")),
                  reference=ref, versions=tuple(VersionBareme(*x) for x in versions), note=str(noeud.get("note", "")))


def _feuille(nom: str, noeud: Mapping, fichier: Path) -> Parametre:
    ref, versions = _versions(nom, noeud, fichier, CLES_FEUILLE, "valeurs", "valeur", "paramètre",
                              _nombre(nom, fichier))
    return Parametre(nom=nom, description=str(noeud.get("description", "")), unite=str(noeud.get("unite", "")),
                     reference=ref, valeurs=tuple(Valeur(*x) for x in versions), note=str(noeud.get("note", "")))


def _parcourir(noeud: Mapping, prefixe: str, fichier: Path) -> Iterator[Parametre | Bareme]:
    if "valeurs" in noeud:
        yield _feuille(prefixe, noeud, fichier)
        return
    if "bareme" in noeud:
        yield _bareme(prefixe, noeud, fichier)
        return
    for k, v in noeud.items():
        if not isinstance(v, Mapping):
            raise ErreurDonnees(f"nœud « {prefixe}.{k} » : dictionnaire attendu", fichier=fichier, colonne=k)
        yield from _parcourir(v, f"{prefixe}.{k}" if prefixe else str(k), fichier)


@dataclass(frozen=True)
class Parametres:
    """The set of dated parameters (all YAML files of a folder), with the scenario's explicit overrides."""

    table: Mapping[str, Parametre]
    surcharges: Mapping[str, float] = field(default_factory=dict)
    baremes: Mapping[str, Bareme] = field(default_factory=dict)

    def __call__(self, nom: str, quand: Any) -> float:
        return self.parametre(nom)(quand)

    def parametre(self, nom: str) -> Parametre:
        try:
            return self.table[nom]
        except KeyError:
            if nom in self.baremes:
                raise KeyError(f"« {nom} » est un barème : utiliser Parametres.bareme(nom)(assiette, date)") from None
            raise KeyError(f"paramètre inconnu : « {nom} »") from None

    def bareme(self, nom: str) -> Bareme:
        """The dated barème ``nom`` (call it with an amount and a date: ``bareme(nom)(assiette, date)``)."""
        try:
            return self.baremes[nom]
        except KeyError:
            raise KeyError(f"barème inconnu : « {nom} »") from None

    def reference(self, nom: str, quand: Any) -> str:
        return self.parametre(nom).en_vigueur(quand).reference

    def noms(self, prefixe: str = "") -> list[str]:
        return sorted(n for n in self.table if n == prefixe or n.startswith(prefixe + ".") or not prefixe)

    def avec(self, surcharges: Mapping[str, float], reference: str = "surcharge explicite du scénario"
             ) -> "Parametres":
        """A copy where each named parameter takes the given value at every date (explicit scenario override)."""
        if not surcharges:
            return self
        table = dict(self.table)
        for nom, v in surcharges.items():
            p = self.parametre(nom)
            table[nom] = Parametre(nom=p.nom, description=p.description, unite=p.unite, reference=reference,
                                   valeurs=(Valeur(_dt.date(1900, 1, 1), float(v), reference),), note=p.note,
                                   surcharge=True)
        return Parametres(table, {**self.surcharges, **{k: float(v) for k, v in surcharges.items()}}, self.baremes)

    def tableau(self, quand: Any, prefixe: str = ""):
        """The parameters in force at a date, as a frame (nom, description, valeur, unité, référence, surcharge)."""
        import pandas as pd

        lignes = []
        for n in self.noms(prefixe):
            p = self.table[n]
            try:
                v = p.en_vigueur(quand)
            except KeyError:
                continue
            lignes.append({"nom": n, "description": p.description, "valeur": v.valeur, "unite": p.unite,
                           "reference": v.reference, "surcharge": p.surcharge})
        return pd.DataFrame(lignes)


def lire_parametres(dossier: str | Path = DOSSIER_PARAMETRES) -> Parametres:
    """Read every ``*.yaml`` of ``dossier`` (a parameter name may appear in one file only)."""
    table: dict[str, Parametre] = {}
    baremes: dict[str, Bareme] = {}
    for fichier in sorted(Path(dossier).glob("*.yaml")):
        try:
            # strict YAML: a key written twice (a rate silently replaced by the second) or .inf/.nan is refused
            brut = charger_yaml(fichier.read_text(encoding="utf-8")) or {}
        except RefusYaml as exc:
            raise ErreurDonnees(f"fichier de paramètres refusé : {exc.raison}", fichier=fichier,
                                colonne=exc.cle or None) from None
        except (yaml.YAMLError, ValueError) as exc:  # ValueError: an impossible date such as 2014-13-01
            raise ErreurDonnees(f"fichier de paramètres illisible : {exc}", fichier=fichier) from None
        if not isinstance(brut, Mapping):
            raise ErreurDonnees("dictionnaire de paramètres attendu", fichier=fichier)
        for p in _parcourir(brut, "", fichier):
            if p.nom in table or p.nom in baremes:
                raise ErreurDonnees(f"paramètre « {p.nom} » défini deux fois", fichier=fichier, colonne=p.nom)
            (baremes if isinstance(p, Bareme) else table)[p.nom] = p
    return Parametres(table, baremes=baremes)


@functools.lru_cache(maxsize=1)
def parametres() -> Parametres:
    """The package's legal parameters (read once)."""
    return lire_parametres()
