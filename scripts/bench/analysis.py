"""Analysis benchmarks (issue 3, section 5): Samskab's `analyse` commands as whole processes
next to the Python references on the same input, measured in the same run.

- opinions: every conversation in data/polis and a synthetic 20,000 x 2,000 conversation at
  30 % voted, against red-dwarf's Pol.is pipeline (PCA solver "full"), timing only
  `run_pipeline` (no interpreter start, no CSV reading).
- themes: every labelled Danish set in data/danish-topics (SIB-200: 7 topics; CAP agenda
  titles: major topics and CAP codes), NMI and ARI at the true k for samskab (5 input
  orders) and scikit-learn TfidfVectorizer + KMeans on the same Snowball stems (5 seeds);
  the k chosen automatically against each granularity; the stability after 10 % more
  inputs; the labels of the first five themes; the time for 10,000 and 50,000 inputs.
- groups: 2,000 people into groups of 4-6, the share of groups whose members all come from
  different units next to random assignments of the same sizes.

Run through scripts/bench-analysis.sh, which builds the binary and the virtual environment.
"""

import argparse
import csv
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def run_samskab(binary, args, repeat=1):
    """Runs the CLI `repeat` times; returns (best wall seconds, stdout of that run)."""
    best = None
    for _ in range(repeat):
        start = time.perf_counter()
        proc = subprocess.Popen([binary, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        out, err = proc.communicate()
        wall = time.perf_counter() - start
        if proc.returncode != 0:
            sys.exit(f"samskab {' '.join(args)} failed ({proc.returncode}): {err.decode()}")
        if best is None or wall < best[0]:
            best = (wall, out)
    return best[0], best[1]


def peak_rss_mb(binary, args):
    """Peak resident memory of one run, reported by GNU time for its own child (a child of
    this Python process would inherit the parent's high-water mark from the fork)."""
    if not os.path.exists("/usr/bin/time"):
        return float("nan")
    proc = subprocess.run(
        ["/usr/bin/time", "-f", "%M", binary, *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    if proc.returncode != 0:
        sys.exit(f"samskab {' '.join(args)} failed for the memory run: {proc.stderr}")
    return int(proc.stderr.strip().splitlines()[-1]) / 1024


# ---------------------------------------------------------------- opinions


def read_votes(path):
    """Pol.is export votes, latest vote per (voter, statement) as red-dwarf expects them."""
    latest = {}
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            key = (int(row["voter-id"]), int(row["comment-id"]))
            t = int(row["timestamp"])
            if key not in latest or latest[key][0] <= t:
                latest[key] = (t, int(row["vote"]))
    return [
        {"participant_id": p, "statement_id": s, "vote": v, "modified": t}
        for (p, s), (t, v) in latest.items()
    ]


def moderated_out(path):
    if not path.exists():
        return []
    with open(path, newline="") as f:
        return [int(r["comment-id"]) for r in csv.DictReader(f) if r.get("moderated", "").strip() == "-1"]


def red_dwarf(votes, mod_out):
    from reddwarf.implementations.polis import run_pipeline

    start = time.perf_counter()
    result = run_pipeline(
        votes=votes,
        reducer_kwargs={"svd_solver": "full"},
        mod_out_statement_ids=mod_out,
        random_state=0,
    )
    seconds = time.perf_counter() - start
    labels = result.participants_df["cluster_id"].dropna()
    return seconds, {int(p): int(g) for p, g in labels.items()}


def agreement(ours_json, theirs):
    """ARI between our groups and red-dwarf's on the participants both clustered."""
    from sklearn.metrics import adjusted_rand_score

    ours = {}
    for g in ours_json["groups"]:
        for m in g["members"]:
            ours[int(m)] = g["id"]
    common = sorted(set(ours) & set(theirs))
    if len(common) < 2:
        return float("nan")
    return adjusted_rand_score([ours[p] for p in common], [theirs[p] for p in common])


def compare(binary, name, votes, mod_out, args, rd_runs, our_runs):
    """One table row: red-dwarf's best of `rd_runs` pipelines (its groups from the run
    kept) next to our best of `our_runs` whole processes on the same votes."""
    runs = [red_dwarf(votes, mod_out) for _ in range(rd_runs)]
    rd_seconds, theirs = min(runs, key=lambda r: r[0])
    participants = len({v["participant_id"] for v in votes})
    statements = len({v["statement_id"] for v in votes})
    n_votes = len(votes)
    ours_seconds, out = run_samskab(binary, args, our_runs)
    ours = json.loads(out)
    return {
        "name": name,
        "participants": participants,
        "statements": statements,
        "votes": n_votes,
        "red_dwarf": rd_seconds,
        "samskab": ours_seconds,
        "ratio": rd_seconds / ours_seconds,
        "rss": peak_rss_mb(binary, args),
        "groups": (len(ours["groups"]), len(set(theirs.values()))),
        "ari": agreement(ours, theirs),
    }


def bench_conversation(binary, name, votes_path, comments_path, repeat):
    args = ["analyse", "opinions", "--votes", str(votes_path), "--format", "json"]
    if comments_path.exists():
        args += ["--comments", str(comments_path)]
    votes = read_votes(votes_path)
    return compare(binary, name, votes, moderated_out(comments_path), args, repeat, repeat * 3)


def synthetic_votes(path, participants, statements, voted, seed=7):
    """A conversation with 4 planted opinion groups: each person votes on a random `voted`
    share of the statements; agree/disagree/pass by their group's leaning on the statement."""
    rng = np.random.default_rng(seed)
    groups = rng.integers(0, 4, size=participants)
    leaning = rng.uniform(0.1, 0.9, size=(4, statements))
    rows = []
    t = 1_700_000_000_000
    for p in range(participants):
        cols = np.flatnonzero(rng.random(statements) < voted)
        u = rng.random(cols.size)
        agree = leaning[groups[p], cols]
        pass_ = rng.random(cols.size) < 0.15
        vote = np.where(pass_, 0, np.where(u < agree, 1, -1))
        rows.append(np.column_stack([np.full(cols.size, p), cols, vote]))
    data = np.concatenate(rows)
    order = rng.permutation(len(data))
    data = data[order]
    stamps = t + np.arange(len(data))
    with open(path, "w") as f:
        f.write("timestamp,datetime,comment-id,voter-id,vote\n")
        lines = [f"{s},,{c},{p},{v}\n" for s, (p, c, v) in zip(stamps.tolist(), data.tolist())]
        f.writelines(lines)
    votes = [
        {"participant_id": p, "statement_id": c, "vote": v, "modified": s}
        for s, (p, c, v) in zip(stamps.tolist(), data.tolist())
    ]
    return votes


def opinions(binary, data, repeat, synthetic):
    print("== Opinion groups: samskab analyse opinions (whole process) vs red-dwarf run_pipeline (PCA 'full')")
    # One warm-up so red-dwarf's lazy imports do not count against it.
    conversations = sorted(p for p in (data / "polis").iterdir() if (p / "votes.csv").exists())
    red_dwarf(read_votes(conversations[0] / "votes.csv"), [])
    rows = []
    for conv in conversations:
        rows.append(bench_conversation(binary, conv.name, conv / "votes.csv", conv / "comments.csv", repeat))
    if synthetic:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "votes.csv"
            p, s = synthetic
            print(f"   (writing synthetic {p:,} x {s:,} at 30 % voted ...)", flush=True)
            votes = synthetic_votes(path, p, s, 0.30)
            args = ["analyse", "opinions", "--votes", str(path), "--format", "json"]
            # Best of two for both sides (a red-dwarf run takes half a minute here).
            rows.append(compare(binary, f"synthetic {p:,} x {s:,}, 30 %", votes, [], args, 2, 2))
            del votes
    header = f"{'conversation':<44}{'ptpts':>7}{'stmts':>7}{'votes':>12}{'red-dwarf s':>13}{'samskab s':>11}{'ratio':>8}{'peak MB':>9}{'k ours/rd':>11}{'ARI':>6}"
    print(header)
    for r in rows:
        print(
            f"{r['name'][:43]:<44}{r['participants']:>7,}{r['statements']:>7,}{r['votes']:>12,}"
            f"{r['red_dwarf']:>13.3f}{r['samskab']:>11.3f}{r['ratio']:>7.1f}x{r['rss']:>9.0f}"
            f"{r['groups'][0]:>6}/{r['groups'][1]:<4}{r['ari']:>6.2f}"
        )
    ratios = [r["ratio"] for r in rows]
    print(f"   smallest ratio {min(ratios):.1f}x, median {statistics.median(ratios):.1f}x")
    print()


# ---------------------------------------------------------------- themes

WORD = re.compile(r"\w+", re.UNICODE)


def sib200(data):
    texts, labels = [], []
    for name in ("train.tsv", "dev.tsv", "test.tsv"):
        with open(data / "danish-topics" / "sib200-da" / name, newline="") as f:
            for row in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
                texts.append(row["text"])
                labels.append(row["category"])
    return texts, labels


def agendas(data):
    """Municipal council agenda titles (CAP): the title without its item number and dot
    leaders, with the major topic and the finer CAP code as two label granularities."""
    texts, major, minor = [], [], []
    with open(data / "danish-topics" / "capcas-agendas" / "training_agendas.csv", newline="") as f:
        for row in csv.DictReader(f):
            text = re.sub(r"\.{3,}\s*\d*\s*$", "", row["text"])
            text = re.sub(r"^\s*\d+\s*\.\s*(-\s*)?", "", text).strip()
            texts.append(text)
            major.append(row["major"])
            minor.append(row["coding"])
    return texts, {"major topic": major, "CAP code": minor}


def stop_words(root):
    """The engine's own Snowball-based stop-word list, so both sides drop the same words."""
    source = (root / "crates" / "analysis" / "src" / "themes" / "text.rs").read_text()
    block = source.split("const STOP_WORDS", 1)[1].split("];", 1)[0]
    return set(re.findall(r'"([^"]+)"', block))


def label_stop_words(root):
    """What labels must never show: the shipped stop list and the filler words."""
    folder = root / "crates" / "analysis" / "src" / "themes"
    shipped = {l.strip() for l in (folder / "stopwords-da.txt").read_text().splitlines() if l.strip() and not l.startswith("#")}
    block = (folder / "text.rs").read_text().split("const FILLER_WORDS", 1)[1].split("];", 1)[0]
    return shipped | set(re.findall(r'"([^"]+)"', block)) | stop_words(root)


def baseline(texts, k, seed, stops):
    import snowballstemmer
    from sklearn.cluster import KMeans
    from sklearn.feature_extraction.text import TfidfVectorizer

    stemmer = snowballstemmer.stemmer("danish")

    def analyzer(text):
        words = [w for w in WORD.findall(text.lower()) if not w.isdigit() and w not in stops]
        return stemmer.stemWords(words)

    start = time.perf_counter()
    matrix = TfidfVectorizer(analyzer=analyzer).fit_transform(texts)
    labels = KMeans(n_clusters=k, n_init=10, random_state=seed).fit_predict(matrix)
    return time.perf_counter() - start, labels


def write_tsv(path, texts):
    with open(path, "w", newline="") as f:
        f.write("text\n")
        for t in texts:
            f.write(t.replace("\t", " ").replace("\n", " ") + "\n")


def samskab_themes(binary, tmp, texts, k=None, previous=None):
    """(seconds, the JSON) of one run of `samskab analyse themes` on `texts`, optionally
    rerun from an earlier run's JSON."""
    path = Path(tmp) / "input.tsv"
    write_tsv(path, texts)
    args = ["analyse", "themes", "--input", str(path), "--text-column", "text", "--format", "json"]
    if k is not None:
        args += ["--k", str(k)]
    if previous is not None:
        earlier = Path(tmp) / "earlier.json"
        earlier.write_text(json.dumps(previous))
        args += ["--previous", str(earlier)]
    seconds, out = run_samskab(binary, args, 1)
    return seconds, json.loads(out)


def spread(values):
    return f"{statistics.mean(values):.3f} ({min(values):.3f}-{max(values):.3f})"


def themes(binary, data, root):
    from sklearn.metrics import adjusted_rand_score as ari, normalized_mutual_info_score as nmi

    stops = stop_words(root)
    forbidden = label_stop_words(root)
    sets = [("SIB-200 Danish, all three files", *sib200(data))]
    sets[0] = (sets[0][0], sets[0][1], {"topic": sets[0][2]})
    sets.append(("CAP municipal agenda titles (training file)", *agendas(data)))
    with tempfile.TemporaryDirectory() as tmp:
        for name, texts, granularities in sets:
            print(f"== Themes: {name}, {len(texts)} texts")
            print(f"   at the true k; samskab over 5 input orders, the baseline (TfidfVectorizer + KMeans(n_init=10), same stems) over 5 seeds: mean (range)")
            for level, labels in granularities.items():
                k = len(set(labels))
                ours_nmi, ours_ari, ours_s, first = [], [], [], None
                for order in range(5):
                    perm = np.random.default_rng(order).permutation(len(texts)) if order else np.arange(len(texts))
                    seconds, out = samskab_themes(binary, tmp, [texts[i] for i in perm], k)
                    got = np.empty(len(texts), dtype=int)
                    got[perm] = out["assignments"]
                    ours_nmi.append(nmi(labels, got))
                    ours_ari.append(ari(labels, got))
                    ours_s.append(seconds)
                    first = first or out
                base = [baseline(texts, k, seed, stops) for seed in range(5)]
                base_nmi = [nmi(labels, b[1]) for b in base]
                base_ari = [ari(labels, b[1]) for b in base]
                print(f"   {level}, k = {k}:")
                print(f"     samskab   NMI {spread(ours_nmi)}  ARI {spread(ours_ari)}  {statistics.mean(ours_s):.2f} s")
                print(f"     baseline  NMI {spread(base_nmi)}  ARI {spread(base_ari)}  {statistics.mean(b[0] for b in base):.2f} s")
                verdict = "above" if min(ours_nmi) > max(base_nmi) else "NOT above"
                print(f"     samskab's lowest NMI is {verdict} the baseline's best seed")
            seconds, out = samskab_themes(binary, tmp, texts)
            chosen = np.array(out["assignments"])
            scores = ", ".join(f"{level} (k = {len(set(labels))}): NMI {nmi(labels, chosen):.3f}" for level, labels in granularities.items())
            print(f"   k chosen by modularity: {len(out['themes'])} themes in {seconds:.2f} s; against {scores}")
            # Stability: the first 90 % of the inputs, then all of them, afresh and as a
            # rerun from the earlier themes (--previous), over 3 input orders.
            fresh, rerun, kept = [], [], []
            for order in range(3):
                perm = np.random.default_rng(order).permutation(len(texts)) if order else np.arange(len(texts))
                shuffled = [texts[i] for i in perm]
                cut = len(texts) * 9 // 10
                _, before = samskab_themes(binary, tmp, shuffled[:cut])
                _, after = samskab_themes(binary, tmp, shuffled)
                _, again = samskab_themes(binary, tmp, shuffled, previous=before)
                fresh.append(ari(before["assignments"], after["assignments"][:cut]))
                rerun.append(ari(before["assignments"], again["assignments"][:cut]))
                kept.append(np.mean(np.array(before["assignments"]) == np.array(again["assignments"][:cut])))
            print(f"   stability, themes of the first 90 % then of all, ARI on the shared inputs over 3 orders:")
            print(f"     afresh {spread(fresh)};  rerun from the earlier themes (--previous) {spread(rerun)}, same theme id for {spread(kept)} of them")
            print("   labels of the first five themes (k chosen):")
            bad = []
            for theme in out["themes"][:5]:
                print(f"     {theme['size']:>5}  {theme['label']}   | {', '.join(theme['terms'][3:])}")
            for theme in out["themes"]:
                bad += [w for term in theme["terms"] for w in term.split() if w in forbidden]
            print(f"   stop or filler words in any theme's terms: {len(bad)} {sorted(set(bad))[:10]}")
            print()

        # Speed: inputs made of two SIB-200 half-sentences, so none repeats.
        texts, _ = sib200(data)
        rng = np.random.default_rng(3)
        halves = []
        for t in texts:
            words = t.split()
            halves.append((" ".join(words[: len(words) // 2]), " ".join(words[len(words) // 2 :])))
        print("== Themes: speed (inputs made of two SIB-200 half-sentences), k = 7")
        for size in (10_000, 50_000):
            big = [halves[a][0] + " " + halves[b][1] for a, b in rng.integers(0, len(texts), size=(size, 2))]
            path = Path(tmp) / "big.tsv"
            write_tsv(path, big)
            args = ["analyse", "themes", "--input", str(path), "--text-column", "text", "--k", "7", "--format", "json"]
            seconds, _ = run_samskab(binary, args, 3 if size <= 10_000 else 1)
            rss = peak_rss_mb(binary, args)
            if size <= 10_000:
                base = min(baseline(big, 7, seed, stops)[0] for seed in range(3))
                print(f"   {size:,} inputs: samskab {seconds:.2f} s (whole process, peak {rss:.0f} MB), baseline {base:.2f} s (vectorise + fit only): {base / seconds:.2f}x")
            else:
                print(f"   {size:,} inputs: samskab {seconds:.2f} s (whole process, peak {rss:.0f} MB); target under 30 s")
    print()


# ---------------------------------------------------------------- groups


def people(path, n, units, seed=11):
    """People over skewed units (a few large, many small) with roles, as a municipality has."""
    rng = np.random.default_rng(seed)
    weights = 1.0 / np.arange(1, units + 1) ** 0.8
    unit = rng.choice(units, size=n, p=weights / weights.sum())
    role = rng.choice(["", "", "", "", "", "", "leder", "nøgleperson", "tillidsrepræsentant", "arbejdsmiljørepræsentant"], size=n)
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "unit", "role"])
        for i in range(n):
            w.writerow([f"p{i}", f"enhed-{unit[i]}", role[i]])
    return {f"p{i}": f"enhed-{unit[i]}" for i in range(n)}


def all_different(groups, unit_of):
    return sum(len({unit_of[m] for m in g}) == len(g) for g in groups) / len(groups)


def groups(binary):
    print("== Groups: 2,000 people into groups of 4-6, mixing units and roles")
    for units in (200, 40):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "people.csv"
            unit_of = people(path, 2000, units)
            args = ["analyse", "groups", "--people", str(path), "--size", "4-6", "--mix", "unit", "--mix", "role", "--format", "json"]
            seconds, out = run_samskab(binary, args, 3)
            result = json.loads(out)
            ours = [g["members"] for g in result["groups"]]
            sizes = [len(g) for g in ours]
            rng = np.random.default_rng(5)
            ids = list(unit_of)
            shares = []
            for _ in range(100):
                order = rng.permutation(len(ids))
                random_groups, at = [], 0
                for size in sizes:
                    random_groups.append([ids[i] for i in order[at : at + size]])
                    at += size
                shares.append(all_different(random_groups, unit_of))
            largest = max(np.bincount([int(u.split("-")[1]) for u in unit_of.values()]))
            print(
                f"   {units} units (largest {largest} people): {len(ours)} groups of {min(sizes)}-{max(sizes)} in {seconds:.3f} s (whole process); "
                f"all members from different units: samskab {all_different(ours, unit_of):.1%}, random {statistics.mean(shares):.1%} (mean of 100); "
                f"{len(result['violations'])} violations reported"
            )
    print()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", required=True, help="the release samskab binary")
    parser.add_argument("--data", required=True, help="the shared data folder")
    parser.add_argument("--only", choices=["opinions", "themes", "groups"])
    parser.add_argument("--repeat", type=int, default=3, help="runs per small conversation (best is kept)")
    parser.add_argument("--synthetic", default="20000x2000", help="PxS of the synthetic conversation, or 'none'")
    args = parser.parse_args()
    data = Path(args.data)
    root = Path(__file__).resolve().parents[2]
    print(f"cores: {os.cpu_count()}, python {sys.version.split()[0]}")
    synthetic = None if args.synthetic == "none" else tuple(int(x) for x in args.synthetic.split("x"))
    if args.only in (None, "groups"):
        groups(args.bin)
    if args.only in (None, "themes"):
        themes(args.bin, data, root)
    if args.only in (None, "opinions"):
        opinions(args.bin, data, args.repeat, synthetic)


if __name__ == "__main__":
    main()
