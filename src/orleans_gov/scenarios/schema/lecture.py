"""Reading a scenario file: the YAML text is read at one edge (:func:`charger_scenario`), the validation is a pure
function of the parsed tree (:func:`valider_scenario`)."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from orleans_gov.base.parametres import Parametres, parametres
from orleans_gov.scenarios.donnees import domaines_competences
from orleans_gov.scenarios.schema.champs import erreurs_horizon
from orleans_gov.scenarios.schema.erreurs import Erreur, erreur_scenario, erreurs_validation, ordonner
from orleans_gov.scenarios.schema.modele import ANNEE_MAX, ANNEE_MIN, CLES_RETIREES, Scenario
from orleans_gov.base.yaml_strict import RefusYaml, charger as charger_yaml, decoder, verifier_arbre

HERITEES = ("annee_reference", "horizon")
FUSIONNEES = ("hypotheses", "parametres")
REMPLACEES = ("programme", "prelevement_fonds_roulement")   # replaced whole by an inheriting file, not merged


def _fusion(base: Mapping, dessus: Mapping) -> dict:
    """Deep merge of two trees (``dessus`` wins; the keys of :data:`REMPLACEES` are replaced whole)."""
    out = dict(base)
    for k, v in dessus.items():
        if isinstance(v, Mapping) and isinstance(out.get(k), Mapping) and k not in REMPLACEES:
            out[k] = _fusion(out[k], v)
        else:
            out[k] = v
    return out


def heriter(arbre: Any, base: Any) -> Any:
    """The tree of a file that inherits from ``base`` (key ``base``): ``annee_reference`` and ``horizon`` taken
    from the base when absent, ``hypotheses`` and ``parametres`` merged key by key over the base's."""
    if not isinstance(arbre, Mapping) or not isinstance(base, Mapping):
        return arbre
    out = dict(arbre)
    for k in HERITEES:
        if k not in out and k in base:
            out[k] = base[k]
    for k in FUSIONNEES:
        dessus, dessous = out.get(k) or {}, base.get(k) or {}
        if isinstance(dessus, Mapping) and isinstance(dessous, Mapping) and (dessus or dessous):
            out[k] = _fusion(dessous, dessus)
    return out


def _entier(x: Any) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def contexte(arbre: Any, domaines: Mapping[str, str], regles: Parametres) -> dict:
    """What the validators need beyond the key they check: the policy areas, the legal parameters, and the
    reference year, the horizon and the projected years when they are themselves valid."""
    ctx: dict[str, Any] = {"domaines": domaines, "parametres": regles}
    if not isinstance(arbre, Mapping):
        return ctx
    ref = arbre.get("annee_reference")
    if _entier(ref) and ANNEE_MIN <= ref <= ANNEE_MAX:
        ctx["reference"] = ref
    h = arbre.get("horizon")
    if isinstance(h, Mapping) and _entier(h.get("debut")) and _entier(h.get("fin")) and \
            not erreurs_horizon(ctx.get("reference"), h["debut"], h["fin"]):
        ctx["debut"], ctx["fin"] = h["debut"], h["fin"]
        if "reference" in ctx:
            ctx["annees"] = list(range(ref + 1, h["fin"] + 1))
    return ctx


def _normaliser(arbre: Any) -> tuple[Any, list[Erreur]]:
    """Empty ``hypotheses:`` / ``actions:`` read as empty; the keys of former versions refused (and removed, so
    that they are reported once, with the way to write them now)."""
    if not isinstance(arbre, Mapping):
        return arbre, []
    out = dict(arbre)
    for k, vide in (("hypotheses", {}), ("actions", []), ("parametres", {})):
        if k in out and out[k] is None:
            out[k] = vide
    erreurs = []
    for chemin, texte in CLES_RETIREES.items():
        parent = out
        for k in chemin[:-1]:
            parent = parent.get(k) if isinstance(parent, Mapping) else None
        if isinstance(parent, Mapping) and chemin[-1] in parent:
            erreurs.append((".".join(chemin), texte))
            copie = dict(parent)
            del copie[chemin[-1]]
            out = _remplacer(out, chemin[:-1], copie)
    return out, erreurs


def _remplacer(arbre: Mapping, chemin: Sequence[str], valeur: Any) -> dict:
    if not chemin:
        return dict(valeur)
    out = dict(arbre)
    out[chemin[0]] = _remplacer(arbre[chemin[0]], chemin[1:], valeur)
    return out


def actions_en_double(sc: Scenario) -> list[Erreur]:
    """An action written twice is counted twice by the engine (a savings gap doubled, in silence): refuse the same
    action listed twice, and two ``transfert`` of the same competence for a same commune (a competence is
    transferred once; its evaluation by the CLECT too)."""
    erreurs: list[Erreur] = []
    vues: dict[str, int] = {}
    transferts: dict[tuple[str, str], int] = {}
    for j, action in enumerate(sc.actions):
        empreinte = repr(action.model_dump(warnings=False))
        if empreinte in vues:
            erreurs.append((f"actions[{j}]", f"action identique à actions[{vues[empreinte]}] : elle serait comptée "
                            "deux fois ; n'en garder qu'une"))
            continue
        vues[empreinte] = j
        if action.type == "transfert":
            for code in action.communes:
                cle = (action.competence.strip().casefold(), code)
                if cle in transferts:
                    erreurs.append((f"actions[{j}].competence", f"compétence « {action.competence} » déjà transférée "
                                    f"par actions[{transferts[cle]}] pour la commune {code} : un transfert par "
                                    "compétence et par commune"))
                    break
                transferts[cle] = j
    return erreurs


def valider_scenario(arbre: Any, *, fichier: str, domaines: Mapping[str, str],
                     bases: Sequence[tuple[str, Any]] = (), regles: Parametres | None = None) -> Scenario:
    """Validate a parsed scenario tree (pure: no file is read). Every error is reported at once, in one
    :class:`~orleans_gov.base.erreurs.ErreurScenario` naming ``fichier`` and the key path of each error.

    ``domaines``: policy area (column ``domaine`` of the competence table) → M14 function; ``bases``: the parsed
    trees of the files named by ``base`` (nearest first), each validated in turn and inherited; ``regles``: the
    legal parameters (default: the package's).
    """
    regles = regles or parametres()
    try:
        verifier_arbre(arbre)
    except RefusYaml as exc:
        raise erreur_scenario([(exc.cle, exc.raison)], fichier) from None
    if bases:
        valider_scenario(bases[0][1], fichier=bases[0][0], domaines=domaines, bases=bases[1:], regles=regles)
        herite = bases[-1][1]
        for _f, b in reversed(bases[:-1]):
            herite = heriter(b, herite)
        arbre = heriter(arbre, herite)
    brut = arbre
    arbre, erreurs = _normaliser(arbre)
    try:
        sc = Scenario.model_validate(arbre, context=contexte(arbre, domaines, regles))
    except ValidationError as exc:
        erreurs += erreurs_validation(exc, arbre, Scenario)
    else:
        erreurs += actions_en_double(sc)
    if erreurs:
        raise erreur_scenario(ordonner(erreurs, brut), fichier)
    return sc.avec_fichier(fichier)


# ---------------------------------------------------------------------------------------------------------
# the edge: YAML files
# ---------------------------------------------------------------------------------------------------------

def _lire_yaml(chemin: Path, *, cite_par: tuple[str, str] | None = None) -> Any:
    """The parsed tree of a scenario file (strict YAML: :mod:`orleans_gov.base.yaml_strict`); every problem is an
    :class:`~orleans_gov.base.erreurs.ErreurScenario` naming the file (a missing base file: the file citing it)."""
    try:
        contenu = chemin.read_bytes()
    except FileNotFoundError:
        if cite_par:
            raise erreur_scenario([("base", f"fichier de base introuvable : {chemin}")], cite_par[0]) from None
        raise erreur_scenario([("", "fichier de scénario introuvable")], chemin) from None
    except IsADirectoryError:
        raise erreur_scenario([("", "c'est un dossier, un fichier de scénario .yaml est attendu")], chemin) from None
    except OSError as exc:
        raise erreur_scenario([("", f"fichier illisible ({exc.strerror or exc})")], chemin) from None
    try:
        arbre = charger_yaml(decoder(contenu))
    except RefusYaml as exc:
        raise erreur_scenario([(exc.cle, exc.raison)], chemin) from None
    except yaml.YAMLError as exc:
        marque = getattr(exc, "problem_mark", None)
        lieu = f" ligne {marque.line + 1}, colonne {marque.column + 1}" if marque is not None else ""
        raison = getattr(exc, "problem", None) or type(exc).__name__   # never the file's text itself
        raise erreur_scenario([("", f"YAML illisible{lieu} : {str(raison)[:200]}")], chemin) from None
    if not isinstance(arbre, Mapping):
        quoi = "vide" if arbre is None else f"un(e) {type(arbre).__name__}, pas un dictionnaire « clé: valeur »"
        raise erreur_scenario([("", f"ce n'est pas un fichier de scénario (contenu {quoi})")], chemin)
    return arbre


def _bases(arbre: Any, fichier: Path) -> list[tuple[str, Any]]:
    """The chain of files named by ``base`` (nearest first), read; a cycle is refused, and so is a base outside the
    folder of the scenario file (``../../etc/passwd``): a base is another scenario of the same folder."""
    out: list[tuple[str, Any]] = []
    vus = [fichier.resolve()]
    racine = fichier.resolve().parent
    courant, dossier, cite = arbre, fichier.parent, str(fichier)
    while isinstance(courant, Mapping) and isinstance(courant.get("base"), str) and courant["base"].strip():
        nom = courant["base"].strip()
        chemin = dossier / nom
        if not chemin.resolve().is_relative_to(racine) or Path(nom).suffix.lower() not in (".yaml", ".yml"):
            raise erreur_scenario([("base", f"« {nom[:80]} » : la base doit être un fichier .yaml du dossier des "
                                    f"scénarios ({racine})")], cite)
        if chemin.resolve() in vus:
            raise erreur_scenario([("base", f"héritage circulaire ({courant['base']})")], cite)
        vus.append(chemin.resolve())
        courant = _lire_yaml(chemin, cite_par=(cite, "base"))
        out.append((str(chemin), courant))
        dossier, cite = chemin.parent, str(chemin)
    return out


def charger_scenario(chemin: str | Path, domaines: Mapping[str, str] | None = None, *,
                     annee_reference: int | None = None, horizon: Sequence[int] | None = None) -> Scenario:
    """Read and validate a scenario file (``config/scenarios/*.yaml``, format in its ``README.md``).

    ``domaines`` maps each policy area (``domaine`` of the competence table) to its M14 function; when None it
    is read from the sourced competence table of the data folder (:func:`domaines_competences`).
    ``annee_reference`` and ``horizon`` (``[debut, fin]``), when given, replace the file's values (notebook
    parameters) before validation, so that the dates of the actions are checked against them. Every error of
    the file is reported at once (:class:`~orleans_gov.base.erreurs.ErreurScenario`, attribute ``erreurs``).

    >>> from orleans_gov.base.erreurs import ErreurScenario
    >>> from orleans_gov.scenarios import DOSSIER_SCENARIOS, charger_scenario
    >>> sc = charger_scenario(DOSSIER_SCENARIOS / "transfert-voirie.yaml")
    >>> sc.nom, sc.annee_reference, sc.annees[0], sc.fin, sc.actions[0].type
    ('Transfert de la voirie', 2013, 2014, 2020, 'transfert')
    >>> try:
    ...     charger_scenario(DOSSIER_SCENARIOS / "transfert-voirie.yaml", horizon=[2014, 2015])
    ... except ErreurScenario as exc:
    ...     exc.erreurs
    [('actions[0].date', "date impossible 2016-01-01 : hors de l'horizon 2014–2015")]
    """
    chemin = Path(chemin)
    arbre = _lire_yaml(chemin)
    if isinstance(arbre, Mapping):
        arbre = dict(arbre)
        if annee_reference is not None:
            arbre["annee_reference"] = annee_reference
        if horizon is not None:
            if len(horizon) != 2:
                raise erreur_scenario([("horizon", f"[début, fin] attendu, pas {horizon!r}")], chemin)
            arbre["horizon"] = {"debut": int(horizon[0]), "fin": int(horizon[1])}
    return valider_scenario(arbre, fichier=str(chemin), domaines=domaines_competences() if domaines is None
                            else domaines, bases=_bases(arbre, chemin))


def lire_scenario(brut: Any, *, fichier: str, domaines: Mapping[str, str] | None = None,
                  dossier: Path | None = None) -> Scenario:
    """Validate an already-parsed tree; the files named by ``base`` are read relative to ``dossier`` (default:
    the folder of ``fichier``). Same as :func:`charger_scenario` without reading the main file."""
    base = Path(dossier) / Path(fichier).name if dossier is not None else Path(fichier)
    return valider_scenario(brut, fichier=fichier, domaines=domaines_competences() if domaines is None else domaines,
                            bases=_bases(brut, base))
