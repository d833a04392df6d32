/* patient.c - age, sex and salient terms of a free-text patient note.
 *
 * The text goes through these steps, all on one array of tokens:
 *
 * 1. Tokens.  Words (letters and digits), numbers ("2.5", "1,200") and
 *    single punctuation marks, with the spacing before each.  A number
 *    glued to letters is cut ("74M" -> 74 M, "100mg" -> 100 mg); note
 *    abbreviations of two single letters stay one word ("s/p", "h/o",
 *    "y/o", "w/o", "y.o.").  De-identification marks "[**...**]" become a
 *    break.  Words are lower-cased and Unicode-normalized like the index
 *    (_ts_normalize); a possessive 's is dropped.
 * 2. Sentences.  A sentence ends at . ? ! before a space and a word that
 *    is not lower-case, and at a line break, unless the line is long
 *    (hard-wrapped prose) and the next one goes on in lower case.
 * 3. Lab lines ("Hgb: 13 g/dl", "Sodium  137 meq/L", "Nitrite: negative")
 *    are dropped whole.
 * 4. Age and sex (see find_age and find_sex).
 * 5. Scopes within each sentence: negation (after a cue, to the end of
 *    the clause or 20 words), diagnosis (after "diagnosed with", "history
 *    of" ..., or before "X was confirmed"), and someone else (family
 *    history, or a sentence whose subject is a relative).
 * 6. Kept words: everything that is not a stop word, note boilerplate, a
 *    modifier of degree or side, a unit, a vital sign or routine lab, a
 *    number or an ethnicity.  Numbers and single letters are kept inside
 *    phrases after a qualifier ("type 2 diabetes", "hepatitis c", "stage
 *    1b", "igf-1").  Runs of adjacent kept words in a sentence give
 *    phrases.
 * 7. Terms: each kept word, each phrase (and its endings of 2-4 words,
 *    where the head noun of an English noun phrase is), the spelled-out
 *    form of note abbreviations; merged by text with the weights of
 *    patient.h.
 *
 * The word lists below are the whole vocabulary; each says what it is for.
 */
#include "patient.h"
#include "ts_internal.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

/* ---- vocabulary -------------------------------------------------------- */

/* General English function words. */
static const char *const STOPWORDS[] = {
    "a", "an", "the", "and", "or", "but", "if", "of", "at", "by", "for", "with",
    "about", "against", "between", "into", "through", "during", "before",
    "after", "above", "below", "to", "from", "up", "down", "in", "out", "on",
    "off", "over", "under", "again", "further", "then", "once", "here",
    "there", "when", "where", "why", "how", "all", "any", "both", "each",
    "few", "more", "most", "other", "others", "another", "some", "such",
    "only", "own", "same", "so", "than", "too", "very", "can", "will", "just",
    "should", "now", "i", "me", "my", "we", "our", "you", "your", "he", "him",
    "his", "himself", "she", "her", "hers", "herself", "it", "its", "itself",
    "they", "them", "their", "what", "which", "who", "whom", "whose", "this",
    "that", "these", "those", "am", "is", "are", "was", "were", "be", "been",
    "being", "have", "has", "had", "having", "do", "does", "did", "doing",
    "would", "could", "might", "must", "shall", "may", "also", "as", "per",
    "via", "while", "though", "although", "because", "since", "until",
    "unless", "whether", "either", "neither", "nor", "yet", "still", "even",
    "ever", "never", "already", "around", "approximately", "within",
    "without", "upon", "onto", "across", "along", "among", "toward",
    "towards", "no", "not", "none", "nothing", "every", "everything", "one",
    "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "first", "second", "third", "fourth", "once", "twice", "thrice", "it's",
    "doesn't", "don't", "didn't", "isn't", "wasn't", "won't", "can't",
    "cannot", "hasn't", "haven't", "hadn't", "aren't", "weren't", "wouldn't",
    "couldn't", "let", "lot", "lots", "many", "much", "less", "least",
    "else", "whole", "way", "thing", "things", "something", "anything",
    "like", "well", "really", "quite", "rather", "almost", "nearly", "mostly",
    "mainly", "especially", "particularly", "however", "therefore", "thus",
    "hence", "otherwise", "respectively", "resp", "etc", "e.g", "i.e", "vs",
    "versus", "due", "regarding", "following", "despite", "besides", "except",
    "throughout", "among", "amongst", "whereas", "whilst", "st", "nd", "rd",
    "th", NULL
};

/* Words every note uses whatever the disease: the patient, the visit,
 * the telling, time, places and people of the hospital, family and
 * social life.  Also the note abbreviations for them (s/p, h/o, c/o). */
static const char *const BOILERPLATE[] = {
    "patient", "patients", "pt", "pts", "case", "present", "presents",
    "presented", "presenting", "presentation", "complain", "complains",
    "complained", "complaining", "complaint", "complaints", "c/o", "report",
    "reports", "reported", "reporting", "history", "histories", "hx", "h/o",
    "pmh", "psh", "fhx", "fh", "shx", "past", "medical", "surgical",
    "social", "family", "year", "years", "yr", "yrs", "old", "yo", "y/o",
    "y.o", "aged", "age", "ages", "month", "months", "mo", "mos", "week",
    "weeks", "wk", "wks", "day", "days", "hour", "hours", "hr", "hrs",
    "minute", "minutes", "min", "mins", "second", "seconds", "sec", "daily",
    "weekly", "monthly", "yearly", "ago", "today", "yesterday", "tomorrow",
    "tonight", "morning", "evening", "afternoon", "night", "nights",
    "overnight", "last", "next", "time", "times", "date", "period",
    "admit", "admitted", "admission", "admissions", "readmitted",
    "discharged", "noted", "note", "notes", "exam", "exams", "examination",
    "examined", "physical", "show", "shows", "showed", "shown", "showing",
    "reveal", "reveals", "revealed", "revealing", "deny", "denies",
    "denied", "denying", "find", "finds", "found", "finding", "findings",
    "evaluation", "evaluated", "evaluate", "evaluating", "assessment",
    "assessed", "work", "works", "worked", "working", "workup", "follow",
    "followed", "follows", "f/u", "seen", "see", "saw", "seeing", "came",
    "come", "comes", "coming", "went", "go", "goes", "going", "gone",
    "brought", "bring", "referred", "referral", "refer", "clinic", "clinics",
    "hospital", "hospitals", "hospitalized", "hospitalised",
    "hospitalization", "department", "emergency", "room", "er", "ed", "icu",
    "ccu", "micu", "sicu", "floor", "ward", "unit", "visit", "visits",
    "visited", "visiting", "office", "physician", "physicians", "doctor",
    "doctors", "dr", "pcp", "nurse", "staff", "consult", "consulted",
    "consultation", "service", "team", "osh", "nh", "ob", "underwent",
    "undergo", "undergoes", "undergoing", "performed", "perform", "done",
    "given", "give", "gave", "started", "start", "starting", "starts",
    "continued", "continue", "continues", "continuing", "received",
    "receive", "receives", "receiving", "treated", "treat", "treating",
    "treatment", "treatments", "therapy", "therapies", "regimen",
    "medication", "medications", "meds", "med", "medicine", "medicines",
    "drug", "drugs", "agent", "agents", "taking", "takes", "take", "took",
    "taken", "uses", "using", "used", "use", "user", "currently", "current",
    "initially", "initial", "subsequently", "subsequent", "eventually",
    "finally", "later", "earlier", "early", "late", "prior", "previous",
    "previously", "known", "likely", "unlikely", "possible", "possibly",
    "probably", "probable", "presumptive", "presumed", "suspected",
    "suspect", "concern", "concerns", "concerning", "concerned",
    "consistent", "compatible", "significant", "significantly",
    "insignificant", "remarkable", "unremarkable", "notable", "normal",
    "normally", "abnormal", "abnormality", "abnormalities", "otherwise",
    "status", "post", "s/p", "w/", "w", "c/b", "complicated", "associated",
    "including", "include", "includes", "included", "well", "good",
    "better", "able", "unable", "secondary", "related", "caused", "cause",
    "causes", "causing", "placed", "place", "left", "right", "side",
    "sided", "sides", "x", "q", "prn", "po", "iv", "im", "sc", "sq", "bid",
    "tid", "qid", "qd", "qhs", "qam", "qpm", "hs", "dose", "doses",
    "dosage", "dosing", "level", "levels", "value", "values", "result",
    "results", "test", "tests", "tested", "testing", "study", "studies",
    "lab", "labs", "laboratory", "score", "scores", "scored", "scale",
    "state", "states", "stated", "says", "said", "say", "told", "tell",
    "felt", "feel", "feels", "feeling", "feelings", "thought", "think",
    "thinks", "believed", "believe", "describe", "describes", "described",
    "describing", "experience", "experiences", "experienced",
    "experiencing", "suffering", "suffer", "suffers", "suffered",
    "developed", "develop", "develops", "developing", "became", "become",
    "becomes", "becoming", "got", "getting", "gets", "get", "made", "make",
    "makes", "making", "live", "lives", "living", "lived", "married",
    "divorced", "single", "widowed", "job", "children", "child", "kids",
    "kid", "husband", "wife", "daughter", "daughters", "son", "sons",
    "mother", "father", "sister", "sisters", "brother", "brothers",
    "parents", "parent", "aunt", "uncle", "grandfather", "grandmother",
    "grandparents", "cousin", "spouse", "partner", "partners", "friend",
    "friends", "man", "woman", "men", "women", "male", "female", "males",
    "females", "boy", "girl", "boys", "girls", "gentleman", "lady", "guy",
    "infant", "baby", "newborn", "neonate", "adult", "adults", "adolescent",
    "teen", "teenage", "teenager", "toddler", "person", "people",
    "individual", "mr", "mrs", "ms", "miss", "sir", "number", "amount",
    "several", "various", "additional", "addition", "additionally",
    "another", "couple", "diagnosis", "diagnoses", "diagnosed", "dx",
    "diagnostic", "confirmed", "confirm", "confirms", "confirmation",
    "evidence", "signs", "sign", "symptom", "symptoms", "symptomatic",
    "asymptomatic", "issue", "issues", "problem", "problems", "condition",
    "conditions", "episode", "episodes", "event", "events", "course",
    "setting", "baseline", "ongoing", "again", "further", "furthermore",
    "moreover", "per", "according", "regards", "reason", "reasons",
    "follow-up", "outpatient", "inpatient", "home", "house", "management",
    "managed", "manage", "care", "plan", "planned", "planning", "recommend",
    "recommended", "recommends", "recommendation", "suggested", "suggest",
    "suggests", "offered", "offer", "candidate", "required", "requiring",
    "require", "requires", "needed", "need", "needs", "tolerated",
    "tolerate", "tolerating", "responded", "response", "respond", "remains",
    "remained", "remain", "appear", "appears", "appeared", "appearance",
    "seems", "seemed", "looks", "looked", "look", "observed", "observe",
    "observation", "detected", "detect", "identified", "demonstrated",
    "demonstrates", "documented", "obtained", "measured", "calculated",
    "estimated", "considered", "consider", "considering", "decided",
    "determined", "sent", "transferred", "transfer", "returned", "return",
    "returns", "improve", "improves", "improved", "improving",
    "improvement", "resolved", "resolution", "stable", "stabilized",
    "positive", "negative", "present", "absent", "increase", "increased",
    "increasing", "decrease", "decreased", "decreasing", "elevated",
    "elevation", "reduced", "raised", "high", "low", "higher",
    "highest", "lowest", "range", "ranges", "ranged", "within", "limits",
    "limit", "unknown", "unclear", "uncertain", "yes", "patient's",
    "pregnancies", "children", "alert", "oriented", "cooperative",
    "conscious", "distress", "appearing", "nourished", "well-nourished",
    "dressed", "educated", "employed", "retired", "smoker", "nonsmoker",
    "married", "accompanied", "accompany", "together", "interested",
    "happy", "enjoy", "student", "teacher", "engineer", "farmer", "chef",
    "editor", "coordinator", "player", "professional", "company", "center",
    "centre", "school", "high-school", "library", "farm", "kitchen",
    "restaurant", "trip", "travel", "traveled", "travelled", "camp",
    "international", "review", "reviewed", "systems", "repeat",
    "repeated", "located", "location", "rest", "refused", "refuses",
    "recalls", "recall", "affects", "affecting", "affected", "interfere",
    "interferes", "research", "incidentally", "incidental", "cardiologist",
    "cardiology", "urology", "urologist", "neurology", "neurologist",
    "pulmonology", "pulmonologist", "hepatology", "oncology", "oncologist",
    "gastroenterology", "gastroenterologist", "nephrology", "specialist",
    "surgeon", "pediatrics", "pediatric", "clinician", "attending",
    "resident", "dictation", "pending", "sounds", "sound", NULL
};

/* Modifiers of degree, time, size and side: they would make phrases
 * ("severe aortic stenosis") that trials rarely write the same way.
 * "acute", "chronic", "recurrent", "multiple" and "upper/lower" are kept:
 * they are part of many disease names. */
static const char *const MODIFIERS[] = {
    "severe", "severely", "mild", "mildly", "moderate", "moderately",
    "slight", "slightly", "marked", "markedly", "extreme", "extremely",
    "worsening", "worse", "worsened", "worsens", "worst", "progressive",
    "progressively", "progressing", "gradual", "gradually", "sudden",
    "suddenly", "new", "newly", "recent", "recently", "large", "larger",
    "small", "smaller", "big", "tiny", "huge", "frequent", "frequently",
    "occasional", "occasionally", "persistent", "persistently", "constant",
    "constantly", "continuous", "continuously", "bilateral", "bilaterally",
    "unilateral", "mid", "longstanding", "long-standing", "certain",
    "specific", "general", "generally", "overall", "total", "totally",
    "completely", "complete", "excellent", "poor", "poorly", "strong",
    "weak", "striking", "nicely", "rapidly", "rapid", "slowly", "quickly",
    "extensive", "minimal", "minor", "major", "apparent", "obvious", "clear",
    "clearly", "further", "extra", "approximately", "roughly", "about",
    "relatively", "very", "mostly", "somewhat", "acutely", "chronically",
    "gradually", "intermittently", "usual", "usually", "regular",
    "regularly", "irregular", "routine", "routinely", "typical", "simple",
    "sole", "alone", "solely", "underlying", NULL
};

/* Units of measure. */
static const char *const UNITS[] = {
    "mg", "g", "gr", "gm", "kg", "mcg", "ug", "μg", "ng", "pg", "l", "dl",
    "ml", "cc", "ul", "μl", "mm", "cm", "m", "km", "mmhg", "hg", "mmol",
    "umol", "μmol", "mol", "meq", "eq", "iu", "u", "units", "unit", "mu",
    "miu", "fl", "hpf", "lpf", "mm3", "cu.mm", "bpm", "beats", "breaths",
    "kcal", "cal", "lb", "lbs", "pounds", "pound", "oz", "inch", "inches",
    "feet", "ft", "degree", "degrees", "percent", "pct", "c", "f", "sec",
    "ms", "mg/dl", "mg/l", "g/dl", "mmol/l", "ng/ml", "pack", "packs",
    "pack-year", "pack-years", "cigarette", "cigarettes", "beers", "beer",
    "puff", "puffs", "tab", "tabs", "tablet", "tablets", "capsule",
    "capsules", "sessions", "session", "vessel",
    "eu", "mets", "gtt", "drops", NULL
};

/* Vital signs and routine laboratory values, whose numbers are dropped
 * anyway: the names alone say nothing about the disease. */
static const char *const VITALS_LABS[] = {
    "bp", "hr", "rr", "pr", "spo2", "sao2", "o2sat", "o2", "sat", "sats",
    "saturation", "temp", "temperature", "pulse", "vital", "vitals", "bmi",
    "height", "weighted", "tall", "length", "circumference",
    "wbc", "wbcs", "rbc", "rbcs", "hgb", "hb", "hct", "plt", "platelet",
    "platelets", "ast", "alt", "bun", "cr", "creatinine", "inr", "ptt",
    "na", "k", "cl", "co2", "hco3", "glc", "fbs", "mcv", "mch", "mchc",
    "rdw", "esr", "crp", "urea", "sodium", "potassium", "chloride",
    "bicarbonate", "calcium", "magnesium", "phosphorus", "phosphate",
    "albumin", "bilirubin", "bili", "bill", "alk", "alp", "ggt", "ldh",
    "cbc", "bmp", "cmp", "chem", "chemistry", "serum", "plasma",
    "urine", "u/a", "u/c", "ua", "uc", "color", "colour", "cloudy", "yellow",
    "gravity", "ph", "nitrite", "ketone", "ketones", "esterase", "count",
    "counts", "differential", "panel", "profile", "ekg", "ecg", "ct",
    "mri", "cxr", "x-ray", "xray", "imaging", "scan", "scans", "ultrasound",
    "ultrasonography", "sonogram", "u/s", "us", "echo", "tte", "tee",
    "ra", "nc", "fio2", "gcs", "nihss", "rate", "rates", "ef", NULL
};

/* Ethnicity and origin words: not clinical terms for a trial search. */
static const char *const ETHNIC[] = {
    "caucasian", "asian", "african", "american",
    "african-american", "hispanic", "latino", "latina", "spanish",
    "european", "arab", "indian", "chinese", "japanese", "korean",
    NULL
};

/* Negation cues: what follows in the same clause is negated.  Two-word
 * cues ("negative for", "free of", "absence of", "lack of") are matched
 * on their second word. */
static const char *const NEG_CUES[] = {
    "no", "not", "denies", "denied", "deny", "denying", "without", "w/o",
    "never", "nor", "neither", "none", "doesn't", "don't", "didn't",
    "isn't", "wasn't", "won't", "hasn't", "haven't", "hadn't", "cannot",
    "can't", "aren't", "weren't", "absent", "nil", NULL
};

/* Words that end a negation scope: a new clause or subject begins. */
static const char *const NEG_STOP[] = {
    "but", "however", "although", "though", "except", "yet", "which",
    "who", "whom", "whose", "whereas", "while", "because", "is", "was",
    "are", "were", "has", "had", "he", "she", "they", "it", "then", "now",
    "currently", "apart", "aside", "uses", "takes", "using", "taking",
    "received", "started", "underwent", "presented", "presents",
    "developed", "lives", "remains", "continues", "continued", "showed",
    "shows", "revealed", "reveals", "only", NULL
};

/* Words that end a diagnosis scope. */
static const char *const DX_STOP[] = {
    "but", "however", "although", "though", "which", "who", "whom", "whose",
    "whereas", "while", "because", "he", "she", "they", "then", "presented",
    "presents", "presenting", "admitted", "referred", "came", "comes", NULL
};

/* Relatives: a sentence whose subject is one is about someone else. */
static const char *const RELATIVES[] = {
    "mother", "father", "sister", "sisters", "brother", "brothers", "son",
    "sons", "daughter", "daughters", "husband", "wife", "aunt", "aunts",
    "uncle", "uncles", "grandmother", "grandfather", "grandparents",
    "grandparent", "cousin", "cousins", "parents", "parent", "sibling",
    "siblings", "spouse", "partner", "niece", "nephew", "mom", "dad",
    "twin", "friend", "child", "children", NULL
};

/* Verbs by which a relative tells about the patient ("Daughter reports
 * ..."): such a sentence is still about the patient. */
static const char *const TELLING[] = {
    "report", "reports", "reported", "note", "notes", "noted", "state",
    "states", "stated", "say", "says", "said", "describe", "describes",
    "described", "notice", "noticed", "observed", "brought", "mentions",
    "mentioned", "tells", "told", "called", NULL
};

/* Words that only make sense in a phrase ("weight loss", "blood
 * transfusion", "body aches"), never as terms alone. */
static const char *const PHRASE_ONLY[] = {
    "weight", "blood", "body", "heart", NULL
};

/* Words that qualify a following number, roman numeral or letter
 * ("type 2", "stage iv", "class iia", "hpv 16"). */
static const char *const QUALIFIERS[] = {
    "type", "stage", "grade", "class", "phase", "hpv", "nyha", "gleason",
    "trisomy", "factor", "cd", "il", "covid", "ecog", "tnm", "hla", "dm",
    "group", NULL
};

/* Qualifiers that are terms of their own too ("hpv", "covid"). */
static const char *const CONTENT_QUALIFIERS[] = {
    "hpv", "covid", "hla", "dm", "nyha", "gleason", "trisomy", NULL
};

/* Words after which a single letter is part of the name ("hepatitis c",
 * "vitamin d", "group b"). */
static const char *const LETTER_BEFORE[] = {
    "hepatitis", "hep", "vitamin", "vit", "group", "type", "factor",
    "influenza", "class", "stage", "grade", "protein", "complement",
    "hemophilia", "haemophilia", "niemann-pick", "cluster", NULL
};

/* Words before which a single letter is part of the name ("b cells",
 * "c diff"). */
static const char *const LETTER_AFTER[] = {
    "cell", "cells", "diff", "difficile", "wave", "waves", NULL
};

/* Head nouns of diagnoses, findings, procedures and drugs: words with
 * these get the clinical bonus.  Suffixes below catch the rest. */
static const char *const CLINICAL[] = {
    "disease", "diseases", "disorder", "disorders", "syndrome", "cancer",
    "cancers", "carcinoma", "tumor", "tumors", "tumour", "neoplasm",
    "malignancy", "metastatic", "metastases", "metastasis", "lymphoma",
    "leukemia", "leukaemia", "myeloma", "sarcoma", "melanoma", "glioma",
    "adenoma", "infection", "infections", "failure", "insufficiency",
    "deficiency", "stenosis", "regurgitation", "prolapse", "hypertension",
    "hypotension", "diabetes", "diabetic", "asthma", "stroke", "infarction",
    "infarct", "ischemia", "ischemic", "hemorrhage", "haemorrhage",
    "bleeding", "bleed", "fracture", "injury", "pain", "edema", "oedema",
    "effusion", "obstruction", "mass", "lesion", "lesions", "nodule",
    "polyp", "polyps", "cyst", "ulcer", "abscess", "thrombosis",
    "embolism", "aneurysm", "fibrillation", "tachycardia", "bradycardia",
    "arrhythmia", "murmur", "seizure", "seizures", "epilepsy", "dementia",
    "depression", "depressive", "anxiety", "schizophrenia", "psychosis",
    "bipolar", "migraine", "migraines", "headache", "headaches", "cirrhosis",
    "hepatitis", "pneumonia", "sepsis", "septic", "shock", "anemia",
    "anaemia", "obesity", "obese", "fever", "cough", "dyspnea",
    "dyspnoea", "nausea", "vomiting", "diarrhea", "diarrhoea",
    "constipation", "fatigue", "weakness", "numbness", "tremor", "tremors",
    "jaundice", "rash", "allergy", "allergic", "palsy", "paralysis",
    "sclerosis", "dystrophy", "atrophy", "transplant", "transplantation",
    "surgery", "resection", "biopsy", "chemotherapy", "radiation",
    "radiotherapy", "dialysis", "hemodialysis", "catheter",
    "catheterization", "stent", "bypass", "repair", "replacement",
    "implant", "insulin", "steroid", "steroids", "antibiotics", "vaccine",
    "vaccination", "inhaler", "virus", "viral", "bacterial", "fungal",
    "hiv", "aids", "covid", "influenza", "tuberculosis", "malaria",
    "gravis", "lupus", "arthritis", "valve", "artery", "arteries",
    "coronary", "cardiac", "heart", "renal", "kidney", "liver", "hepatic",
    "lung", "pulmonary", "breast", "prostate", "cervical", "ovarian",
    "thyroid", "pancreatic", "colon", "colorectal", "gastric", "brain",
    "spinal", "bone", "marrow", "skin", "pregnancy", "pregnant",
    "gestational", "postmenopausal", "smoking", "alcohol", "alcoholic",
    "opioid", "addiction", "dependence", "retention", "incontinence",
    "stones", "stone", "gallstones", "hernia", "scoliosis", "apnea",
    "varices", "insomnia", "pruritus", "dysphagia", "hypoxia", "hypoxemia",
    "ketoacidosis", "thrombocytopenia", "neutropenia", "hyperglycemia",
    "hypoglycemia", "hypercalcemia", "hyponatremia", "hypokalemia",
    "hyperkalemia", "hyperlipidemia", "hypercholesterolemia",
    "hypothyroidism", "hyperthyroidism", "hirsutism", "infertility",
    "acne", "eczema", "psoriasis", "dermatitis", "mutation",
    "antibody", "antibodies", "antigen", "receptor", "inhibitor",
    "inhibitors", "blocker", "blockers", "agonist", "antagonist",
    "statin", "aspirin", "warfarin", "heparin", "metformin", "prednisone",
    "levodopa", "acromegaly", "amyloidosis", "mastocytosis", "marfan",
    NULL
};

/* Endings of clinical words: inflammations, tumours, blood and urine
 * findings, operations, drug stems (INN). */
static const char *const CLINICAL_SUFFIXES[] = {
    "itis", "oma", "omas", "emia", "aemia", "osis", "oses", "pathy",
    "pathies", "ectomy", "otomy", "ostomy", "plasty", "scopy", "graphy",
    "gram", "algia", "uria", "penia", "megaly", "trophy", "plasia",
    "cele", "rrhea", "rrhoea", "rrhage", "rrhagia", "spasm", "lysis",
    "ism", "iasis", "cytosis", "genesis", "plegia", "paresis", "phobia",
    "mania", "phagia", "pnea", "pnoea", "kinesia", "tonia", "emesis",
    "mab", "nib", "vir", "pril", "olol", "sartan", "statin", "azole",
    "mycin", "micin", "cillin", "cycline", "oxacin", "parin", "tide",
    "lukast", "dronate", "triptan", "prazole", "tidine", "semide",
    "thiazide", "dipine", "afil", "glutide", "gliptin", "gliflozin",
    "platin", "taxel", "rubicin", "fungin", "conazole", "setron",
    "tinib", "lisib", "ciclib", "parib", "zepam", "oxetine", "triptyline",
    "olone", "asone", "amine", "idine", "opril", "profen", "codone",
    NULL
};

/* Note abbreviations and their spelled-out forms (added as terms of the
 * abbreviation's weight).  Two-word keys are matched on adjacent words. */
static const char *const EXPANSIONS[][2] = {
    { "htn", "hypertension" },
    { "hld", "hyperlipidemia" },
    { "hl", "hyperlipidemia" },
    { "dm", "diabetes mellitus" },
    { "dmii", "type 2 diabetes" },
    { "dm2", "type 2 diabetes" },
    { "t2dm", "type 2 diabetes" },
    { "niddm", "type 2 diabetes" },
    { "t1dm", "type 1 diabetes" },
    { "dm1", "type 1 diabetes" },
    { "iddm", "type 1 diabetes" },
    { "cad", "coronary artery disease" },
    { "chf", "congestive heart failure" },
    { "dchf", "diastolic heart failure" },
    { "hf", "heart failure" },
    { "copd", "chronic obstructive pulmonary disease" },
    { "cva", "stroke" },
    { "tia", "transient ischemic attack" },
    { "mi", "myocardial infarction" },
    { "pvd", "peripheral vascular disease" },
    { "pad", "peripheral arterial disease" },
    { "esrd", "end stage renal disease" },
    { "ckd", "chronic kidney disease" },
    { "aki", "acute kidney injury" },
    { "hcv", "hepatitis c" },
    { "hbv", "hepatitis b" },
    { "hep c", "hepatitis c" },
    { "hep b", "hepatitis b" },
    { "uti", "urinary tract infection" },
    { "utis", "urinary tract infection" },
    { "bph", "benign prostatic hyperplasia" },
    { "osa", "obstructive sleep apnea" },
    { "afib", "atrial fibrillation" },
    { "dvt", "deep vein thrombosis" },
    { "ugib", "upper gastrointestinal bleeding" },
    { "gib", "gastrointestinal bleeding" },
    { "cll", "chronic lymphocytic leukemia" },
    { "aml", "acute myeloid leukemia" },
    { "cml", "chronic myeloid leukemia" },
    { "nhl", "non hodgkin lymphoma" },
    { "mdd", "major depressive disorder" },
    { "pcos", "polycystic ovary syndrome" },
    { "pco", "polycystic ovary syndrome" },
    { "sle", "systemic lupus erythematosus" },
    { "als", "amyotrophic lateral sclerosis" },
    { "tb", "tuberculosis" },
    { "ich", "intracerebral hemorrhage" },
    { "sah", "subarachnoid hemorrhage" },
    { "sob", "dyspnea" },
    { "doe", "dyspnea on exertion" },
    { "cp", "chest pain" },
    { "ha", "headache" },
    { "mvp", "mitral valve prolapse" },
    { "asd", "atrial septal defect" },
    { "vsd", "ventricular septal defect" },
    { "rrms", "relapsing remitting multiple sclerosis" },
    { "ards", "acute respiratory distress syndrome" },
    { "gerd", "gastroesophageal reflux disease" },
    { "ibd", "inflammatory bowel disease" },
    { "ibs", "irritable bowel syndrome" },
    { "nash", "nonalcoholic steatohepatitis" },
    { "nafld", "nonalcoholic fatty liver disease" },
    { "dka", "diabetic ketoacidosis" },
    { "vt", "ventricular tachycardia" },
    { "svt", "supraventricular tachycardia" },
    { "cabg", "coronary artery bypass graft" },
    { "pci", "percutaneous coronary intervention" },
    { "ptsd", "post traumatic stress disorder" },
    { "adhd", "attention deficit hyperactivity disorder" },
    { "ocd", "obsessive compulsive disorder" },
    { "tbi", "traumatic brain injury" },
    { "etoh", "alcohol" },
    { "lvh", "left ventricular hypertrophy" },
    { "hcc", "hepatocellular carcinoma" },
    { "rcc", "renal cell carcinoma" },
    { "nsclc", "non small cell lung cancer" },
    { "sclc", "small cell lung cancer" },
    { "crc", "colorectal cancer" },
    { "cdiff", "clostridium difficile" },
    { "c diff", "clostridium difficile" },
    { "acs", "acute coronary syndrome" },
    { "stemi", "st elevation myocardial infarction" },
    { "nstemi", "non st elevation myocardial infarction" },
    { "oa", "osteoarthritis" },
    { "lbp", "low back pain" },
    { "bpd", "bipolar disorder" },
    { "gad", "generalized anxiety disorder" },
    { "ptx", "pneumothorax" },
    { "ivdu", "intravenous drug use" },
    { "hsv", "herpes simplex virus" },
    { "rsv", "respiratory syncytial virus" },
    { "vit d", "vitamin d" },
    { "vit b12", "vitamin b12" },
};

/* Sex nouns of the patient: 'M' or 'F'.  Family nouns count only after
 * "a"/"an" ("a mother of two"). */
static const struct { const char *w; char sex; int family; } SEX_WORDS[] = {
    { "man", 'M', 0 }, { "male", 'M', 0 }, { "boy", 'M', 0 },
    { "gentleman", 'M', 0 }, { "guy", 'M', 0 }, { "woman", 'F', 0 },
    { "female", 'F', 0 }, { "girl", 'F', 0 }, { "lady", 'F', 0 },
    { "mother", 'F', 1 }, { "father", 'M', 1 }, { "wife", 'F', 1 },
    { "husband", 'M', 1 }, { "widow", 'F', 1 }, { "widower", 'M', 1 },
    { "daughter", 'F', 1 }, { "son", 'M', 1 }, { "sister", 'F', 1 },
    { "brother", 'M', 1 },
};

/* Words that only a woman's note uses ("pregnant", "postmenopausal"). */
static const char *const FEMALE_CUES[] = {
    "pregnant", "pregnancy", "postmenopausal", "premenopausal",
    "menopausal", "perimenopausal", "menses", "menstrual", "postpartum",
    NULL
};

/* Spelled-out numbers for ages ("a two-month-old", "sixty-five"). */
static const char *const ONES[] = {
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight",
    "nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen",
    "sixteen", "seventeen", "eighteen", "nineteen", NULL
};
static const char *const TENS[] = {
    "", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy",
    "eighty", "ninety", NULL
};
static const char *const DECADES[] = {
    "", "", "twenties", "thirties", "forties", "fifties", "sixties",
    "seventies", "eighties", "nineties", NULL
};

/* Age words without a number: age, lowest, highest. */
static const struct { const char *w; double age, lo, hi; } AGE_WORDS[] = {
    { "newborn", 0.01, 0, 0.08 }, { "neonate", 0.01, 0, 0.08 },
    { "infant", 0.5, 0, 1 }, { "toddler", 2, 1, 3 },
    { "teen", 16, 13, 19 }, { "teenage", 16, 13, 19 },
    { "teenager", 16, 13, 19 }, { "adolescent", 15, 12, 18 },
    { "septuagenarian", 75, 70, 79 }, { "octogenarian", 85, 80, 89 },
    { "nonagenarian", 95, 90, 99 }, { "sexagenarian", 65, 60, 69 },
};

/* 1 if s is in the NULL-terminated list. */
static int in_list(const char *const *list, const char *s)
{
    for (; *list; list++)
        if (strcmp(*list, s) == 0)
            return 1;
    return 0;
}

/* Index of s in a NULL-terminated list, or -1. */
static int list_index(const char *const *list, const char *s)
{
    for (int i = 0; list[i]; i++)
        if (*list[i] && strcmp(list[i], s) == 0)
            return i;
    return -1;
}

/* ---- tokens ------------------------------------------------------------ */

enum { T_WORD, T_NUM, T_PUNCT, T_BREAK };

typedef struct tok {
    const char *raw;            /* in the input text */
    size_t rawlen;
    char *norm;                 /* T_WORD: normalized word; else NULL */
    double num;                 /* T_NUM: its value */
    int kind;
    char punct;                 /* T_PUNCT: the ASCII mark, '~' for others */
    unsigned sp : 1;            /* white space before it */
    unsigned nl : 1;            /* a line break before it */
    unsigned upper : 1;         /* word typed in capitals (2+ letters) */
    unsigned lab : 1;           /* on a lab line */
    unsigned neg : 1;           /* in a negation scope */
    unsigned dx : 1;            /* in a diagnosis scope */
    unsigned other : 1;         /* said of someone else */
    unsigned first : 1;         /* in the patient's first sentence */
    int keep;                   /* K_* below */
    int sent;                   /* sentence index */
} tok_t;

/* How a token takes part in terms. */
enum {
    K_DROP = 0,
    K_WORD,                     /* a term alone and in phrases */
    K_INNER,                    /* numbers, letters: inside phrases only */
    K_LEAD                      /* qualifiers, "non", "anti": in phrases,
                                   never alone or last */
};

typedef struct toks {
    tok_t *v;
    size_t n, cap;
    int nomem;                  /* sticky: set once memory ran out */
} toks_t;

/* Append a token; on failure set t->nomem and return NULL. */
static tok_t *tok_add(toks_t *t, int kind, const char *raw, size_t len)
{
    if (t->nomem)
        return NULL;
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 256;
        tok_t *v = realloc(t->v, cap * sizeof *v);
        if (!v) {
            t->nomem = 1;
            return NULL;
        }
        t->v = v;
        t->cap = cap;
    }
    tok_t *k = &t->v[t->n++];
    memset(k, 0, sizeof *k);
    k->kind = kind;
    k->raw = raw;
    k->rawlen = len;
    return k;
}

static void toks_free(toks_t *t)
{
    for (size_t i = 0; i < t->n; i++)
        free(t->v[i].norm);
    free(t->v);
    memset(t, 0, sizeof *t);
}

/* The code point at s (at most end - s bytes) and its length in *len;
 * -1 with *len 1 for a byte that starts no valid UTF-8. */
static int32_t cp_at(const char *s, const char *end, size_t *len)
{
    utf8proc_int32_t cp;
    utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s,
                                          (utf8proc_ssize_t)(end - s), &cp);
    if (k <= 0) {
        *len = 1;
        return -1;
    }
    *len = (size_t)k;
    return cp;
}

/* 1 if cp is a letter, a number or a combining mark. */
static int cp_alnum(int32_t cp)
{
    if (cp < 0)
        return 0;
    if (cp < 128)
        return isalnum(cp);
    switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT: case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ME:
    case UTF8PROC_CATEGORY_ND: case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
        return 1;
    default:
        return 0;
    }
}

/* 1 if p starts a letter (ASCII or not). */
static int letter_at(const char *p, const char *end)
{
    size_t k;
    if (p >= end)
        return 0;
    int32_t cp = cp_at(p, end, &k);
    return cp_alnum(cp) && !(cp < 128 && isdigit(cp));
}

/* Length of an apostrophe at p (' or U+2019), 0 if none. */
static size_t apos_len(const char *p, const char *end)
{
    if (p < end && *p == '\'')
        return 1;
    if (end - p >= 3 && memcmp(p, "\xE2\x80\x99", 3) == 0)
        return 3;
    return 0;
}

/* Lower-cased, normalized copy of a word, apostrophes made ASCII and a
 * final possessive 's (or ') dropped.  NULL without memory. */
static char *norm_word(const char *s, size_t len)
{
    char *tmp = malloc(len + 1), *out;
    size_t n = 0;
    int ascii = 1;
    if (!tmp)
        return NULL;
    for (size_t i = 0; i < len; i++) {
        if (i + 3 <= len && memcmp(s + i, "\xE2\x80\x99", 3) == 0) {
            tmp[n++] = '\'';
            i += 2;
            continue;
        }
        if ((unsigned char)s[i] >= 0x80)
            ascii = 0;
        tmp[n++] = (char)tolower((unsigned char)s[i]);
    }
    tmp[n] = '\0';
    if (ascii) {
        out = tmp;
    } else {
        out = _ts_normalize(tmp, n);
        free(tmp);
        if (!out)
            return NULL;
        n = strlen(out);
    }
    if (n > 2 && out[n - 2] == '\'' && out[n - 1] == 's' &&
        strcmp(out, "it's") != 0)
        out[n - 2] = '\0';
    else if (n > 1 && out[n - 1] == '\'')
        out[n - 1] = '\0';
    return out;
}

/* 1 if the raw word is typed in capitals: at least two ASCII letters,
 * none lower-case ("HTN", "COPD", "HER2"). */
static int typed_upper(const char *s, size_t len)
{
    int letters = 0;
    for (size_t i = 0; i < len; i++) {
        if (islower((unsigned char)s[i]))
            return 0;
        if (isupper((unsigned char)s[i]))
            letters++;
    }
    return letters >= 2;
}

/* Split text into tokens (step 1). */
static void tokenize(toks_t *t, const char *text)
{
    const char *p = text, *end = text + strlen(text);
    int sp = 1, nl = 1;
    while (p < end && !t->nomem) {
        unsigned char c = (unsigned char)*p;
        size_t k;
        tok_t *tk;
        if (c == '\n') {
            sp = nl = 1;
            p++;
            continue;
        }
        if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
            sp = 1;
            p++;
            continue;
        }
        if (c == 0xC2 && p + 1 < end && (unsigned char)p[1] == 0xA0) {
            sp = 1;
            p += 2;
            continue;
        }
        if (c == '[' && end - p >= 3 && p[1] == '*' && p[2] == '*') {
            const char *q = strstr(p + 3, "**]");
            if (q) {
                tk = tok_add(t, T_BREAK, p, (size_t)(q + 3 - p));
                if (tk) {
                    tk->sp = sp;
                    tk->nl = nl;
                }
                sp = nl = 0;
                p = q + 3;
                continue;
            }
        }
        if (isdigit(c)) {
            const char *q = p;
            char buf[64];
            size_t n = 0;
            while (q < end && (isdigit((unsigned char)*q) ||
                               ((*q == '.' || *q == ',') && q + 1 < end &&
                                isdigit((unsigned char)q[1]) && q > p))) {
                if (*q != ',' && n + 1 < sizeof buf)
                    buf[n++] = *q;
                q++;
            }
            buf[n] = '\0';
            tk = tok_add(t, T_NUM, p, (size_t)(q - p));
            if (tk) {
                tk->num = strtod(buf, NULL);
                tk->sp = sp;
                tk->nl = nl;
            }
            sp = nl = 0;
            p = q;
            continue;
        }
        int32_t cp = cp_at(p, end, &k);
        if (cp_alnum(cp)) {
            const char *q = p;
            for (;;) {
                size_t kk, a;
                if (q >= end)
                    break;
                int32_t cq = cp_at(q, end, &kk);
                if (cp_alnum(cq)) {
                    q += kk;
                } else if ((a = apos_len(q, end)) && letter_at(q + a, end)) {
                    q += a;
                } else {
                    break;
                }
            }
            /* single-letter note abbreviations: s/p, h/o, w/o, w/, y.o. */
            if (q - p == 1 && q < end && (*q == '/' || *q == '.') &&
                isalpha((unsigned char)*p)) {
                char sep = *q;
                if (q + 1 < end && isalpha((unsigned char)q[1]) &&
                    (q + 2 >= end || !cp_alnum((unsigned char)q[2]))) {
                    q += 2;
                    if (sep == '.' && q < end && *q == '.')
                        q++;
                } else if (sep == '/' && (q + 1 >= end || q[1] == ' ' ||
                                          q[1] == '\n' || q[1] == '\t')) {
                    q++;
                }
            }
            tk = tok_add(t, T_WORD, p, (size_t)(q - p));
            if (tk) {
                size_t len = (size_t)(q - p);
                if (len > 1 && p[len - 1] == '.')
                    len--;          /* "y.o." -> "y.o" */
                tk->norm = norm_word(p, len);
                if (!tk->norm)
                    t->nomem = 1;
                tk->upper = (unsigned)typed_upper(p, (size_t)(q - p));
                tk->sp = sp;
                tk->nl = nl;
            }
            sp = nl = 0;
            p = q;
            continue;
        }
        tk = tok_add(t, T_PUNCT, p, k);
        if (tk) {
            if (c < 128)
                tk->punct = (char)c;
            else if (cp >= 0x2010 && cp <= 0x2015)
                tk->punct = '-';
            else if (cp == 0x2018 || cp == 0x2019)
                tk->punct = '\'';
            else
                tk->punct = '~';
            tk->sp = sp;
            tk->nl = nl;
        }
        sp = nl = 0;
        p += k;
    }
}

/* ---- token helpers ----------------------------------------------------- */

static int is_word(const tok_t *k, const char *w)
{
    return k->kind == T_WORD && strcmp(k->norm, w) == 0;
}

static int is_punct(const tok_t *k, char c)
{
    return k->kind == T_PUNCT && k->punct == c;
}

/* The token at i, or NULL past either end. */
static const tok_t *at(const toks_t *t, long i)
{
    return i >= 0 && (size_t)i < t->n ? &t->v[i] : NULL;
}

static int word_at(const toks_t *t, long i, const char *w)
{
    const tok_t *k = at(t, i);
    return k && is_word(k, w);
}

static int word_in(const toks_t *t, long i, const char *const *list)
{
    const tok_t *k = at(t, i);
    return k && k->kind == T_WORD && in_list(list, k->norm);
}

/* Skip hyphens from i on (they join "45-year-old"). */
static long skip_hyphens(const toks_t *t, long i)
{
    while (at(t, i) && is_punct(at(t, i), '-'))
        i++;
    return i;
}

/* A number at i, digits or spelled out ("sixty-five"): its value in *v
 * and the index after it in *next.  0 if there is none. */
static int number_at(const toks_t *t, long i, double *v, long *next)
{
    const tok_t *k = at(t, i);
    if (!k)
        return 0;
    if (k->kind == T_NUM) {
        *v = k->num;
        *next = i + 1;
        return 1;
    }
    if (k->kind != T_WORD)
        return 0;
    int o = list_index(ONES, k->norm);
    if (o >= 0) {
        *v = o;
        *next = i + 1;
        return 1;
    }
    int d = list_index(TENS, k->norm);
    if (d < 0)
        return 0;
    *v = 10.0 * d;
    *next = i + 1;
    long j = skip_hyphens(t, i + 1);
    const tok_t *u = at(t, j);
    if (u && u->kind == T_WORD && (o = list_index(ONES, u->norm)) > 0 && o < 10) {
        *v += o;
        *next = j + 1;
    }
    return 1;
}

/* ---- sentences and lab lines ------------------------------------------- */

/* Length in bytes of the line that ends before token i (from its first
 * token to the end of token i - 1). */
static size_t line_len_before(const toks_t *t, size_t i)
{
    if (i == 0)
        return 0;
    size_t st = i - 1;
    while (st > 0 && !t->v[st].nl)
        st--;
    const tok_t *a = &t->v[st], *b = &t->v[i - 1];
    return (size_t)(b->raw + b->rawlen - a->raw);
}

/* Number sentences (step 2). */
static void split_sentences(toks_t *t)
{
    int s = 0;
    for (size_t i = 0; i < t->n; i++) {
        tok_t *k = &t->v[i];
        int brk = 0;
        if (i > 0 && k->nl) {
            const tok_t *pv = &t->v[i - 1];
            int lower_next = k->kind == T_WORD && islower((unsigned char)k->raw[0]);
            int wrapped = line_len_before(t, i) >= 60 && lower_next &&
                          !(pv->kind == T_PUNCT && strchr(".:;?!", pv->punct));
            brk = !wrapped;
        } else if (i > 0 && (k->sp || k->nl)) {
            const tok_t *pv = &t->v[i - 1];
            if (pv->kind == T_PUNCT && strchr(".?!", pv->punct)) {
                int lower_next = k->kind == T_WORD && islower((unsigned char)k->raw[0]);
                brk = !lower_next;
            }
        }
        if (brk)
            s++;
        k->sent = s;
    }
}

/* Values that may follow "Label:" on a lab line. */
static const char *const LAB_VALUES[] = {
    "negative", "positive", "none", "normal", "nil", "trace", "yellow",
    "cloudy", "clear", "amber", "absent", "present", "pending", "neg",
    "pos", "seen", "detected", NULL
};

/* Mark the tokens of lab lines (step 3): "Label: value" with a label of
 * at most six words and a number or a lab value word after the colon, or
 * "Label 137 meq/L" (one to four words, a number, units only). */
static void mark_lab_lines(toks_t *t)
{
    size_t i = 0;
    while (i < t->n) {
        size_t e = i + 1;
        while (e < t->n && !t->v[e].nl)
            e++;
        size_t s = i;
        /* list markers: "1.", "2)", "-", "*" */
        if (t->v[s].kind == T_NUM && s + 1 < e && t->v[s + 1].kind == T_PUNCT &&
            (t->v[s + 1].punct == '.' || t->v[s + 1].punct == ')'))
            s += 2;
        while (s < e && t->v[s].kind == T_PUNCT && strchr("-*~", t->v[s].punct))
            s++;
        int lab = 0, words = 0;
        size_t j;
        for (j = s; j < e && j < s + 12; j++) {
            const tok_t *k = &t->v[j];
            if (k->kind == T_WORD)
                words++;
            if (k->kind == T_PUNCT && (k->punct == ';' || k->punct == ','))
                break;
            if (k->kind == T_PUNCT && k->punct == ':') {
                size_t v = j + 1;
                while (v < e && t->v[v].kind == T_PUNCT && strchr("<>=~+-", t->v[v].punct))
                    v++;
                if (words >= 1 && words <= 6 && v < e &&
                    (t->v[v].kind == T_NUM ||
                     (t->v[v].kind == T_WORD && in_list(LAB_VALUES, t->v[v].norm))))
                    lab = 1;
                break;
            }
            if (k->kind == T_NUM || (k->kind == T_WORD && in_list(LAB_VALUES, k->norm) &&
                                     j > s)) {
                /* "Sodium 137 meq/L", "Fecal occult blood Negative" */
                int ok = words >= 1 && words <= 4;
                int after = 0;
                for (size_t v = j + 1; ok && v < e; v++) {
                    const tok_t *u = &t->v[v];
                    if (u->kind == T_WORD && !in_list(UNITS, u->norm) &&
                        !in_list(LAB_VALUES, u->norm) &&
                        !(u->sp == 0 && t->v[v - 1].kind == T_NUM))
                        ok = 0;
                    else if (u->kind == T_PUNCT && !strchr("/%.", u->punct))
                        ok = 0;
                    else if (u->kind == T_NUM)
                        ok = 0;
                    after++;
                }
                lab = ok && after <= 4 && (k->kind == T_NUM ? words <= 4 : 1);
                if (k->kind == T_WORD && words > 4)
                    lab = 0;
                break;
            }
        }
        if (lab)
            for (j = i; j < e; j++)
                t->v[j].lab = 1;
        i = e;
    }
}

/* ---- age and sex ------------------------------------------------------- */

typedef struct age_cand {
    double age, lo, hi;
    int level;                  /* 3 numeric, 2 decade or age word, 1 weak */
    int sex;                    /* from "48 M", "22yo F" */
    long pos;
} age_cand_t;

static const char *const POSSESSIVES[] = {
    "his", "her", "their", "my", "your", "our", NULL
};

/* 1 if the token is a possessive: "his", "her", "the patient's". */
static int possessive(const tok_t *k)
{
    if (!k || k->kind != T_WORD)
        return 0;
    if (in_list(POSSESSIVES, k->norm))
        return 1;
    return k->rawlen > 2 && strcmp(k->norm, "it") != 0 &&
           ((k->raw[k->rawlen - 2] == '\'' && k->raw[k->rawlen - 1] == 's') ||
            (k->rawlen > 4 && memcmp(k->raw + k->rawlen - 4, "\xE2\x80\x99s", 4) == 0));
}

/* 1 if token i is a single capital M or F typed alone ("48 M", "74M"). */
static int sex_letter(const toks_t *t, long i)
{
    const tok_t *k = at(t, i);
    if (!k || k->kind != T_WORD || k->rawlen != 1)
        return 0;
    if (k->raw[0] == 'M')
        return 'M';
    if (k->raw[0] == 'F')
        return 'F';
    return 0;
}

/* 1 if token i starts its sentence or follows an article or "is". */
static int mention_start(const toks_t *t, long i)
{
    const tok_t *k = at(t, i), *p = at(t, i - 1);
    if (!k || !p || p->sent != k->sent)
        return 1;
    if (p->kind == T_PUNCT && strchr(":,(", p->punct))
        return 1;
    return is_word(p, "a") || is_word(p, "an") || is_word(p, "is") ||
           is_word(p, "pt") || is_word(p, "patient") || is_word(p, "was");
}

/* Read an age mention whose number is at i; 1 and *c filled if found. */
static int age_at(const toks_t *t, long i, age_cand_t *c)
{
    double v;
    long j;
    if (!number_at(t, i, &v, &j))
        return 0;
    const tok_t *num = at(t, i);
    if (num->kind == T_NUM && (num->num != floor(num->num) || num->num > 125))
        return 0;
    memset(c, 0, sizeof *c);
    c->pos = i;
    c->level = 3;
    j = skip_hyphens(t, j);
    const tok_t *u = at(t, j);
    double div = 0;
    long k;
    if (!u)
        return 0;
    if (u->kind == T_WORD && (is_word(u, "yo") || is_word(u, "y/o") ||
                              is_word(u, "y.o") || is_word(u, "yoa"))) {
        div = 1;
        k = j + 1;
    } else if (u->kind == T_WORD && sex_letter(t, j) && num->kind == T_NUM &&
               mention_start(t, i)) {
        /* "48 M", "74M", "F" checked by the caller */
        c->sex = sex_letter(t, j);
        c->age = c->lo = c->hi = v;
        return 1;
    } else if (u->kind == T_WORD) {
        static const char *const Y[] = { "year", "years", "yr", "yrs", "y", NULL };
        static const char *const MO[] = { "month", "months", "mo", "mos", "mth", "mths", NULL };
        static const char *const WK[] = { "week", "weeks", "wk", "wks", NULL };
        static const char *const D[] = { "day", "days", "d", NULL };
        if (in_list(Y, u->norm))
            div = 1;
        else if (in_list(MO, u->norm))
            div = 12;
        else if (in_list(WK, u->norm))
            div = 365.25 / 7;
        else if (in_list(D, u->norm))
            div = 365.25;
        else
            return 0;
        k = skip_hyphens(t, j + 1);
        if (word_at(t, k, "old") || word_at(t, k, "o")) {
            k++;
        } else if (word_at(t, k, "of") && word_at(t, k + 1, "age")) {
            k += 2;
        } else if (div == 1 && (word_at(t, k, "man") || word_at(t, k, "woman") ||
                                word_at(t, k, "male") || word_at(t, k, "female") ||
                                word_at(t, k, "boy") || word_at(t, k, "girl"))) {
            /* "a 41 year man" */
        } else {
            return 0;
        }
    } else {
        return 0;
    }
    c->age = c->lo = c->hi = v / div;
    /* "22yo F", "60 yo M" */
    if (sex_letter(t, k))
        c->sex = sex_letter(t, k);
    /* a relative's age: "her 70-year-old father", "his 5-year-old son" */
    const tok_t *pv = at(t, i - 1);
    if (possessive(pv))
        return 0;
    if ((word_in(t, k, RELATIVES) || word_in(t, k + 1, RELATIVES)) &&
        !(pv && (is_word(pv, "a") || is_word(pv, "an"))))
        return 0;
    /* an event's age: "at age 13", "when he was 20 years old" */
    for (long b = i - 1; b >= i - 3 && b >= 0; b--)
        if (word_at(t, b, "at") || word_at(t, b, "when") || word_at(t, b, "since") ||
            word_at(t, b, "until") || word_at(t, b, "by") || word_at(t, b, "before") ||
            word_at(t, b, "after"))
            c->level = 1;
    return 1;
}

/* Decade mentions: "in her 60s", "in his mid-forties", "late 70's". */
static int decade_at(const toks_t *t, long i, age_cand_t *c)
{
    const tok_t *k = at(t, i);
    double d = -1;
    long j = i;
    if (!k)
        return 0;
    if (k->kind == T_NUM && k->num >= 10 && k->num <= 110 &&
        fmod(k->num, 10) == 0) {
        long n = i + 1;
        if (at(t, n) && is_punct(at(t, n), '\''))
            n++;
        if (word_at(t, n, "s") && at(t, n)->sp == 0)
            d = k->num;
    } else if (k->kind == T_WORD) {
        int x = list_index(DECADES, k->norm);
        if (x > 0)
            d = 10.0 * x;
    }
    if (d < 0)
        return 0;
    double lo = d, hi = d + 9, age = d + 5;
    long b = j - 1;
    if (at(t, b) && is_punct(at(t, b), '-'))
        b--;
    if (word_at(t, b, "early")) {
        hi = d + 3;
        age = d + 2;
        b--;
    } else if (word_at(t, b, "mid")) {
        lo = d + 3;
        hi = d + 6;
        age = d + 5;
        b--;
    } else if (word_at(t, b, "late")) {
        lo = d + 7;
        age = d + 8;
        b--;
    }
    /* "in her 60s" (not "temperature in the 90s", "sats in 70s") */
    if (!(possessive(at(t, b)) && word_at(t, b - 1, "in")))
        return 0;
    memset(c, 0, sizeof *c);
    c->age = age;
    c->lo = lo;
    c->hi = hi;
    c->level = 2;
    c->pos = i;
    return 1;
}

/* Find the patient's age (step 4): the first mention of the best level
 * that is not about a relative.  Returns its sentence, or -1. */
static int find_age(const toks_t *t, _ts_patient_t *p, int *sex)
{
    age_cand_t best = { 0, 0, 0, 0, 0, -1 }, c;
    for (size_t i = 0; i < t->n; i++) {
        const tok_t *k = &t->v[i];
        if (k->lab || k->other)
            continue;
        int found = 0;
        if (age_at(t, (long)i, &c) || decade_at(t, (long)i, &c)) {
            found = 1;
        } else if (sex_letter(t, (long)i) && mention_start(t, (long)i)) {
            /* "F, 62" "M/48" */
            long j = (long)i + 1;
            if (at(t, j) && (is_punct(at(t, j), ',') || is_punct(at(t, j), '/')))
                j++;
            const tok_t *n = at(t, j);
            const tok_t *after = at(t, j + 1);
            if (n && n->kind == T_NUM && n->num == floor(n->num) && n->num <= 110 &&
                n->sent == k->sent &&
                !(after && after->kind == T_WORD && in_list(UNITS, after->norm))) {
                memset(&c, 0, sizeof c);
                c.age = c.lo = c.hi = n->num;
                c.level = 3;
                c.sex = sex_letter(t, (long)i);
                c.pos = (long)i;
                found = 1;
            }
        } else if (k->kind == T_WORD) {
            for (size_t w = 0; w < sizeof AGE_WORDS / sizeof AGE_WORDS[0]; w++)
                if (strcmp(k->norm, AGE_WORDS[w].w) == 0) {
                    memset(&c, 0, sizeof c);
                    c.age = AGE_WORDS[w].age;
                    c.lo = AGE_WORDS[w].lo;
                    c.hi = AGE_WORDS[w].hi;
                    c.level = 2;
                    c.pos = (long)i;
                    found = 1;
                }
        }
        if (found && c.level > best.level)
            best = c;
        if (best.level == 3)
            break;
    }
    if (best.pos < 0)
        return -1;
    p->age = best.age;
    p->age_min = best.lo;
    p->age_max = best.hi;
    *sex = best.sex;
    return t->v[best.pos].sent;
}

/* Find the patient's sex (step 4, after the scopes): a sex noun not about
 * a relative ("a 58-year-old man", "the boy"), else a woman's word
 * ("pregnant"), else the pronouns he/she if one kind clearly dominates. */
static int find_sex(const toks_t *t)
{
    int he = 0, she = 0, cue = 0;
    for (size_t i = 0; i < t->n; i++) {
        const tok_t *k = &t->v[i];
        if (k->kind != T_WORD || k->lab)
            continue;
        if (!k->other) {
            for (size_t w = 0; w < sizeof SEX_WORDS / sizeof SEX_WORDS[0]; w++) {
                if (strcmp(k->norm, SEX_WORDS[w].w) != 0)
                    continue;
                const tok_t *pv = at(t, (long)i - 1);
                if (possessive(pv))
                    break;
                if (SEX_WORDS[w].family && !(pv && (is_word(pv, "a") || is_word(pv, "an"))))
                    break;
                return SEX_WORDS[w].sex;
            }
            /* titles: Mr., Mrs., Ms. typed as titles */
            if (k->rawlen >= 2 && isupper((unsigned char)k->raw[0]) &&
                islower((unsigned char)k->raw[1])) {
                if (strcmp(k->norm, "mr") == 0)
                    return 'M';
                if (strcmp(k->norm, "mrs") == 0 || strcmp(k->norm, "ms") == 0)
                    return 'F';
            }
            if (!cue && in_list(FEMALE_CUES, k->norm))
                cue = 'F';
            /* "G1P1" */
            if (!cue && k->norm[0] == 'g' && isdigit((unsigned char)k->norm[1])) {
                const char *q = k->norm + 1;
                while (isdigit((unsigned char)*q))
                    q++;
                if (*q == 'p' && isdigit((unsigned char)q[1]))
                    cue = 'F';
            }
        }
        if (is_word(k, "he") || is_word(k, "him") || is_word(k, "his") ||
            is_word(k, "himself"))
            he++;
        if (is_word(k, "she") || is_word(k, "her") || is_word(k, "hers") ||
            is_word(k, "herself"))
            she++;
    }
    if (cue)
        return cue;
    if (he > 0 && he >= 2 * she)
        return 'M';
    if (she > 0 && she >= 2 * he)
        return 'F';
    return 0;
}

/* ---- scopes ------------------------------------------------------------ */

/* 1 if token k ends a clause: ; : ( ) [ ]. */
static int clause_end(const tok_t *k)
{
    return k->kind == T_PUNCT && strchr(";:()[]", k->punct);
}

/* Mark negation, diagnosis and someone-else scopes (step 5) in the
 * sentence of tokens [s, e). */
static void mark_scopes(toks_t *t, size_t s, size_t e)
{
    int neg = 0, dx = 0, other = 0;
    /* a sentence whose subject is a relative ("Her husband was ...",
     * "The patient's sister had ..."), unless the relative tells about
     * the patient ("Daughter reports ...") */
    for (size_t i = s; i < e && i < s + 8; i++) {
        const tok_t *k = &t->v[i];
        if (k->kind == T_NUM || (k->kind == T_PUNCT && strchr("-,", k->punct)) ||
            (k->kind == T_WORD && (possessive(k) ||
                                   is_word(k, "the") || is_word(k, "and") ||
                                   is_word(k, "year") || is_word(k, "old") ||
                                   is_word(k, "y/o") || is_word(k, "yo") ||
                                   is_word(k, "patients"))))
            continue;
        if (k->kind == T_WORD && in_list(RELATIVES, k->norm)) {
            other = 1;
            for (size_t j = i + 1; j < e && j < i + 5; j++)
                if (t->v[j].kind == T_WORD && in_list(TELLING, t->v[j].norm))
                    other = 0;
        }
        break;
    }
    for (size_t i = s; i < e; i++) {
        tok_t *k = &t->v[i];
        const tok_t *nx = at(t, (long)i + 1);
        if (clause_end(k)) {
            neg = dx = 0;
        }
        if (k->kind == T_WORD) {
            const char *w = k->norm;
            if (in_list(NEG_STOP, w))
                neg = 0;
            if (in_list(DX_STOP, w))
                dx = 0;
            /* family history: "family history of", "FHx" */
            if (((strcmp(w, "family") == 0 && nx &&
                  (is_word(nx, "history") || is_word(nx, "hx") || is_word(nx, "member") ||
                   is_word(nx, "members"))) ||
                 strcmp(w, "fhx") == 0 || strcmp(w, "fh") == 0))
                other = 1;
        }
        k->neg = neg > 0;
        k->dx = dx > 0;
        k->other = (unsigned)other;
        if (neg > 0 && k->kind == T_WORD)
            neg--;
        if (dx > 0 && k->kind == T_WORD)
            dx--;
        if (k->kind != T_WORD)
            continue;
        const char *w = k->norm;
        /* negation cues; "not only" and "no longer" are no negation */
        if (in_list(NEG_CUES, w) && !(nx && (is_word(nx, "only") || is_word(nx, "longer") ||
                                             is_word(nx, "further") || is_word(nx, "change"))))
            neg = 20;
        if ((strcmp(w, "for") == 0 && i > s && is_word(&t->v[i - 1], "negative")) ||
            (strcmp(w, "of") == 0 && i > s &&
             (is_word(&t->v[i - 1], "free") || is_word(&t->v[i - 1], "absence") ||
              is_word(&t->v[i - 1], "lack"))))
            neg = 20;
        /* diagnosis cues, forward */
        if (strcmp(w, "history") == 0 || strcmp(w, "h/o") == 0 || strcmp(w, "hx") == 0 ||
            strcmp(w, "pmh") == 0 || strcmp(w, "dx") == 0 || strcmp(w, "diagnosis") == 0 ||
            (strcmp(w, "known") == 0) ||
            ((strcmp(w, "diagnosed") == 0 || strcmp(w, "confirmed") == 0) && nx &&
             (is_word(nx, "with") || is_word(nx, "as") || is_word(nx, "of"))) ||
            ((strcmp(w, "consistent") == 0 || strcmp(w, "compatible") == 0) && nx &&
             is_word(nx, "with")) ||
            ((strcmp(w, "suffering") == 0 || strcmp(w, "suffers") == 0) && nx &&
             is_word(nx, "from")) ||
            ((strcmp(w, "significant") == 0 || strcmp(w, "remarkable") == 0 ||
              strcmp(w, "positive") == 0) && nx && is_word(nx, "for")) ||
            (strcmp(w, "found") == 0 && nx && is_word(nx, "to") &&
             word_at(t, (long)i + 2, "have")))
            dx = 12;
        /* backward: "Wilson disease was confirmed", "asthma diagnosed a
         * year ago": the clause before the cue */
        if ((strcmp(w, "confirmed") == 0 || strcmp(w, "diagnosed") == 0) &&
            !(nx && (is_word(nx, "with") || is_word(nx, "as") || is_word(nx, "of")))) {
            for (size_t b = i; b-- > s;) {
                tok_t *q = &t->v[b];
                if (clause_end(q) || (q->kind == T_PUNCT && q->punct == ',') ||
                    (q->kind == T_WORD && (in_list(DX_STOP, q->norm) ||
                                           is_word(q, "and") || is_word(q, "the"))))
                    break;
                q->dx = 1;
            }
        }
    }
}

/* ---- keeping words ----------------------------------------------------- */

/* 1 if w is a roman numeral with an optional a/b/c ("ii", "iia", "iv"). */
static int roman(const char *w)
{
    static const char *const R[] = { "i", "ii", "iii", "iv", "v", "vi", "vii", NULL };
    char b[8];
    size_t n = strlen(w);
    if (n == 0 || n > 5)
        return 0;
    memcpy(b, w, n + 1);
    if (n > 1 && (b[n - 1] == 'a' || b[n - 1] == 'b' || b[n - 1] == 'c'))
        b[n - 1] = '\0';
    return in_list(R, b);
}

/* 1 if w is one character (one code point). */
static int one_char(const char *w)
{
    size_t k;
    if (!*w)
        return 0;
    cp_at(w, w + strlen(w), &k);
    return w[k] == '\0';
}

/* 1 if w has a digit. */
static int has_digit(const char *w)
{
    for (; *w; w++)
        if (isdigit((unsigned char)*w))
            return 1;
    return 0;
}

/* The previous token as a word, if it is directly before i (no mark in
 * between other than a hyphen). */
static const tok_t *word_before(const toks_t *t, long i)
{
    const tok_t *p = at(t, i - 1);
    if (p && is_punct(p, '-'))
        p = at(t, i - 2);
    return p && p->kind == T_WORD && p->sent == t->v[i].sent ? p : NULL;
}

/* Decide how token i takes part in terms (step 6). */
static int keep_of(const toks_t *t, long i)
{
    const tok_t *k = &t->v[i];
    const tok_t *pv = at(t, i - 1), *nx = at(t, i + 1);
    if (k->lab)
        return K_DROP;
    if (k->kind == T_NUM) {
        const tok_t *w = word_before(t, i);
        if (k->num != floor(k->num) || !w)
            return K_DROP;
        /* "igf-1", "covid-19": glued by a hyphen to a short word */
        if (pv && is_punct(pv, '-') && !pv->sp && !k->sp && w->kind == T_WORD &&
            strlen(w->norm) <= 6 && !in_list(UNITS, w->norm) && !has_digit(w->norm))
            return K_INNER;
        if (in_list(QUALIFIERS, w->norm))
            return K_INNER;
        return K_DROP;
    }
    if (k->kind != T_WORD)
        return K_DROP;
    const char *w = k->norm;
    /* glued to a number before it: a unit or a count ("100mg", "38w3d") */
    if (pv && pv->kind == T_NUM && !k->sp)
        return K_DROP;
    if (in_list(PHRASE_ONLY, w))
        return nx && nx->kind == T_WORD ? K_LEAD : K_DROP;
    if (strcmp(w, "non") == 0 || strcmp(w, "anti") == 0)
        return nx && (nx->kind == T_WORD || is_punct(nx, '-')) ? K_LEAD : K_DROP;
    if (in_list(QUALIFIERS, w) && !in_list(CONTENT_QUALIFIERS, w)) {
        long j = skip_hyphens(t, i + 1);
        const tok_t *q = at(t, j);
        if (q && q->sent == k->sent &&
            ((q->kind == T_NUM && q->num == floor(q->num)) ||
             (q->kind == T_WORD && (roman(q->norm) || strlen(q->norm) == 1 ||
                                    (has_digit(q->norm) && strlen(q->norm) <= 3)))))
            return K_LEAD;
        return K_DROP;
    }
    const tok_t *wb = word_before(t, i);
    if (roman(w) && wb && in_list(QUALIFIERS, wb->norm))
        return K_INNER;
    if (one_char(w)) {
        if (wb && in_list(LETTER_BEFORE, wb->norm))
            return K_INNER;
        if (nx && nx->kind == T_WORD && in_list(LETTER_AFTER, nx->norm))
            return K_LEAD;
        return K_DROP;
    }
    if (in_list(STOPWORDS, w) || in_list(BOILERPLATE, w) || in_list(MODIFIERS, w) ||
        in_list(UNITS, w) || in_list(VITALS_LABS, w) || in_list(ETHNIC, w) ||
        in_list(NEG_CUES, w) || roman(w))
        return K_DROP;
    /* dosing and counts: "x2", "q4h", "q2" */
    if ((w[0] == 'x' || w[0] == 'q') && isdigit((unsigned char)w[1]))
        return K_DROP;
    if (list_index(ONES, w) >= 0 || list_index(TENS, w) >= 0 ||
        list_index(DECADES, w) >= 0)
        return K_DROP;
    return K_WORD;
}

/* ---- clinical look ------------------------------------------------------ */

/* 1 if w ends with suffix and keeps at least three letters before it. */
static int ends_with(const char *w, const char *suffix)
{
    size_t n = strlen(w), m = strlen(suffix);
    return n >= m + 3 && strcmp(w + n - m, suffix) == 0;
}

/* 1 if the word looks clinical: listed, a clinical ending (only the
 * longer, less ambiguous endings for words under 7 letters), or typed in
 * capitals. */
static int clinical_word(const char *w, int upper)
{
    if (upper || in_list(CLINICAL, w))
        return 1;
    for (const char *const *s = CLINICAL_SUFFIXES; *s; s++) {
        if (strlen(*s) <= 3 && strlen(w) < 9)
            continue;
        if (ends_with(w, *s))
            return 1;
    }
    return 0;
}

/* ---- terms ------------------------------------------------------------- */

typedef struct acc {
    char *text;
    double best;                /* best mention */
    int n_sent;                 /* sentences that mention it */
    int last_sent;
    int all_neg, all_other, acronym, expansion;
    size_t first;               /* order of the first mention */
} acc_t;

typedef struct accs {
    acc_t *v;
    size_t n, cap;
    size_t *slot;               /* hash table of indexes + 1 into v */
    size_t nslot;               /* a power of two, > 2 n */
    int nomem;
} accs_t;

/* Hash table slot for text: where it is, or the empty slot to put it. */
static size_t *acc_slot(const accs_t *a, const char *text)
{
    size_t h = (size_t)_ts_hash64(text, strlen(text), _TS_HASH_INIT);
    for (size_t i = h & (a->nslot - 1);; i = (i + 1) & (a->nslot - 1))
        if (!a->slot[i] || strcmp(a->v[a->slot[i] - 1].text, text) == 0)
            return &a->slot[i];
}

/* Make room for one more term (sticky on failure). */
static int acc_grow(accs_t *a)
{
    if (a->n == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 64;
        acc_t *v = realloc(a->v, cap * sizeof *v);
        if (!v)
            return 0;
        a->v = v;
        a->cap = cap;
    }
    if (2 * (a->n + 1) >= a->nslot) {
        size_t ns = a->nslot ? a->nslot * 2 : 256;
        size_t *old = a->slot, on = a->nslot;
        a->slot = calloc(ns, sizeof *a->slot);
        if (!a->slot) {
            a->slot = old;
            return 0;
        }
        a->nslot = ns;
        for (size_t i = 0; i < on; i++)
            if (old[i])
                *acc_slot(a, a->v[old[i] - 1].text) = old[i];
        free(old);
    }
    return 1;
}

/* Add one mention of text (sticky on failure). */
static void acc_add(accs_t *a, const char *text, double s, int sent, int neg,
                    int other, int acronym, int expansion)
{
    if (a->nomem || !*text)
        return;
    if (!acc_grow(a)) {
        a->nomem = 1;
        return;
    }
    size_t *slot = acc_slot(a, text);
    if (*slot) {
        acc_t *x = &a->v[*slot - 1];
        if (s > x->best)
            x->best = s;
        if (sent != x->last_sent) {
            x->n_sent++;
            x->last_sent = sent;
        }
        x->all_neg &= neg;
        x->all_other &= other;
        x->acronym |= acronym;
        x->expansion &= expansion;
        return;
    }
    acc_t *x = &a->v[a->n];
    x->text = strdup(text);
    if (!x->text) {
        a->nomem = 1;
        return;
    }
    x->best = s;
    x->n_sent = 1;
    x->last_sent = sent;
    x->all_neg = neg;
    x->all_other = other;
    x->acronym = acronym;
    x->expansion = expansion;
    x->first = a->n;
    a->n++;
    *slot = a->n;
}

/* Salience of one mention whose head token is k. */
static double mention_weight(const tok_t *k, int clinical, int phrase)
{
    double s = 0.35;
    if (k->first)
        s += 0.25;
    if (k->dx)
        s += 0.25;
    if (clinical)
        s += 0.1;
    if (phrase)
        s += 0.05;
    if (k->neg)
        s *= 0.5;
    if (k->other)
        s *= 0.3;
    return s > 1 ? 1 : s;
}

/* The spelled-out form of the abbreviation at token i (one or two
 * words), or NULL; *used gets how many tokens it took. */
static const char *expansion_at(const toks_t *t, long i, int *used)
{
    const tok_t *k = at(t, i), *n = at(t, i + 1);
    char two[64];
    if (n && n->kind == T_WORD && n->sent == k->sent &&
        strlen(k->norm) + strlen(n->norm) + 2 <= sizeof two) {
        strcpy(two, k->norm);
        strcat(two, " ");
        strcat(two, n->norm);
        for (size_t e = 0; e < sizeof EXPANSIONS / sizeof EXPANSIONS[0]; e++)
            if (strcmp(EXPANSIONS[e][0], two) == 0) {
                *used = 2;
                return EXPANSIONS[e][1];
            }
    }
    for (size_t e = 0; e < sizeof EXPANSIONS / sizeof EXPANSIONS[0]; e++)
        if (strcmp(EXPANSIONS[e][0], k->norm) == 0) {
            *used = 1;
            return EXPANSIONS[e][1];
        }
    return NULL;
}

/* Emit the phrase of run tokens idx[a..b] (inclusive) as one mention. */
static void emit_phrase(accs_t *a, const toks_t *t, const long *idx, size_t from,
                        size_t to)
{
    char buf[512];
    size_t n = 0;
    int clinical = 0, upper = 0;
    for (size_t r = from; r <= to; r++) {
        const tok_t *k = &t->v[idx[r]];
        const char *w = k->kind == T_WORD ? k->norm : NULL;
        char num[32];
        if (!w) {
            snprintf(num, sizeof num, "%.0f", k->num);
            w = num;
        }
        size_t l = strlen(w);
        if (n + l + 2 > sizeof buf)
            return;
        if (n)
            buf[n++] = ' ';
        memcpy(buf + n, w, l);
        n += l;
        if (k->kind == T_WORD && clinical_word(k->norm, k->upper))
            clinical = 1;
        upper |= k->upper;
    }
    buf[n] = '\0';
    int words = 0;
    for (size_t r = from; r <= to; r++)
        words += t->v[idx[r]].keep == K_WORD;
    if (!words)
        return;
    const tok_t *head = &t->v[idx[to]];
    acc_add(a, buf, mention_weight(head, clinical, 1), head->sent, head->neg,
            head->other, 0, 0);
    (void)upper;
}

/* Emit the terms of a run of adjacent kept tokens idx[0..n). */
static void emit_run(accs_t *a, const toks_t *t, const long *idx, size_t n)
{
    size_t s = 0, e = n;
    /* a phrase starts with no number or letter and ends with no lead */
    while (s < e && t->v[idx[s]].keep == K_INNER)
        s++;
    while (e > s && t->v[idx[e - 1]].keep == K_LEAD)
        e--;
    if (e - s < 2)
        return;
    size_t len = e - s;
    if (len <= 6)
        emit_phrase(a, t, idx, s, e - 1);
    /* endings of 2..4 words: where the head noun is ("aortic valve
     * stenosis", "valve stenosis") */
    for (size_t b = s + 1; b + 1 < e; b++) {
        size_t l = e - b;
        if (l > 4 || l >= len)
            continue;
        if (t->v[idx[b]].keep == K_INNER)
            continue;
        emit_phrase(a, t, idx, b, e - 1);
    }
    /* beginnings that end in a number or letter: "hepatitis c" from
     * "hepatitis c cirrhosis", "hpv 16" */
    for (size_t b = s + 1; b + 1 < e; b++) {
        if (t->v[idx[b]].keep == K_INNER && t->v[idx[b + 1]].keep != K_INNER &&
            t->v[idx[s]].keep == K_WORD)
            emit_phrase(a, t, idx, s, b);
    }
}

/* 1 if token j follows token i in a run: next to it, or after a hyphen. */
static int adjacent(const toks_t *t, size_t i, size_t j)
{
    if (t->v[j].sent != t->v[i].sent)
        return 0;
    if (j == i + 1)
        return 1;
    return j == i + 2 && is_punct(&t->v[i + 1], '-');
}

/* Collect the terms of the whole text (step 7). */
static void collect(accs_t *a, const toks_t *t)
{
    long *run = malloc((t->n + 1) * sizeof *run);
    size_t nrun = 0;
    if (!run) {
        a->nomem = 1;
        return;
    }
    for (size_t i = 0; i < t->n && !a->nomem; i++) {
        const tok_t *k = &t->v[i];
        if (is_punct(k, '-') && nrun && (size_t)run[nrun - 1] + 1 == i && i + 1 < t->n &&
            t->v[i + 1].keep != K_DROP)
            continue;               /* "non-hodgkin", "anti-tpo", "igf-1" */
        if (k->keep == K_DROP) {
            if (nrun)
                emit_run(a, t, run, nrun);
            nrun = 0;
            continue;
        }
        if (nrun && !adjacent(t, (size_t)run[nrun - 1], i)) {
            emit_run(a, t, run, nrun);
            nrun = 0;
        }
        run[nrun++] = (long)i;
        if (k->keep == K_WORD) {
            int clin = clinical_word(k->norm, k->upper);
            int used = 0;
            const char *x = expansion_at(t, (long)i, &used);
            if (x)
                clin = 1;
            acc_add(a, k->norm, mention_weight(k, clin, 0), k->sent, k->neg, k->other,
                    k->upper, 0);
            if (x)
                acc_add(a, x, mention_weight(k, 1, strchr(x, ' ') != NULL), k->sent,
                        k->neg, k->other, 0, 1);
        } else if (k->keep == K_LEAD && k->kind == T_WORD) {
            /* "c diff", "hep c": two-word abbreviations */
            int used = 0;
            const char *x = expansion_at(t, (long)i, &used);
            if (x && used == 2)
                acc_add(a, x, mention_weight(&t->v[i + 1], 1, 1), k->sent, k->neg,
                        k->other, 0, 1);
        }
    }
    if (nrun && !a->nomem)
        emit_run(a, t, run, nrun);
    free(run);
}

/* Order: weight, then first mention. */
static int cmp_terms(const void *x, const void *y)
{
    const acc_t *a = x, *b = y;
    double wa = a->best, wb = b->best;
    if (wa != wb)
        return wa > wb ? -1 : 1;
    return a->first < b->first ? -1 : a->first > b->first;
}

/* ---- entry points ------------------------------------------------------ */

ts_status_t _ts_patient_parse(const char *text, _ts_patient_t *out)
{
    if (!out)
        return _ts_error(TS_ERR_INVALID, "patient: no output");
    memset(out, 0, sizeof *out);
    out->age = out->age_min = out->age_max = TS_AGE_NONE;
    if (!text)
        return _ts_error(TS_ERR_INVALID, "patient: no text");

    toks_t t = { NULL, 0, 0, 0 };
    accs_t a = { NULL, 0, 0, NULL, 0, 0 };
    tokenize(&t, text);
    if (t.nomem)
        goto nomem;
    split_sentences(&t);
    mark_lab_lines(&t);

    /* scopes, sentence by sentence */
    for (size_t s = 0; s < t.n;) {
        size_t e = s + 1;
        while (e < t.n && t.v[e].sent == t.v[s].sent)
            e++;
        mark_scopes(&t, s, e);
        s = e;
    }

    int age_sex = 0;
    int age_sent = find_age(&t, out, &age_sex);
    out->sex = age_sex ? age_sex : find_sex(&t);

    /* the first sentence, and the one that gives the age */
    for (size_t i = 0; i < t.n; i++)
        if (t.v[i].sent == 0 || (age_sent >= 0 && t.v[i].sent == age_sent))
            t.v[i].first = 1;
    for (size_t i = 0; i < t.n; i++)
        t.v[i].keep = keep_of(&t, (long)i);

    collect(&a, &t);
    free(a.slot);
    a.slot = NULL;
    if (a.nomem)
        goto nomem;

    for (size_t i = 0; i < a.n; i++) {
        acc_t *x = &a.v[i];
        double w = x->best + 0.1 * (x->n_sent > 4 ? 3 : x->n_sent - 1);
        x->best = w > 1 ? 1 : w;
    }
    if (a.n)
        qsort(a.v, a.n, sizeof *a.v, cmp_terms);
    if (a.n) {
        out->terms = calloc(a.n, sizeof *out->terms);
        if (!out->terms)
            goto nomem;
    }
    for (size_t i = 0; i < a.n; i++) {
        _ts_pterm_t *p = &out->terms[i];
        p->text = a.v[i].text;
        a.v[i].text = NULL;
        p->weight = floor(a.v[i].best * 1000 + 0.5) / 1000;
        p->negated = a.v[i].all_neg;
        p->other = a.v[i].all_other;
        p->acronym = a.v[i].acronym;
        p->expansion = a.v[i].expansion;
    }
    out->n_terms = a.n;
    free(a.v);
    toks_free(&t);
    return TS_OK;

nomem:
    for (size_t i = 0; i < a.n; i++)
        free(a.v[i].text);
    free(a.v);
    toks_free(&t);
    _ts_patient_free(out);
    return _ts_error(TS_ERR_NOMEM, "out of memory reading the patient description");
}

void _ts_patient_free(_ts_patient_t *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n_terms; i++)
        free(p->terms[i].text);
    free(p->terms);
    p->terms = NULL;
    p->n_terms = 0;
}
