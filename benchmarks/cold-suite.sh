#!/usr/bin/env bash
# (c) cold: the per-test cost of @KernelTrace as users pay it. A generated suite of 500 distinct
# test methods (25 classes x 20; each writes a small file, reads one back, checksums or sorts, and
# half declare limits) is run once per round in a fresh JVM under Maven Surefire, traced
# (@KernelTrace, default configuration) and plain (the same code without KernelTrace), alternating
# round by round. The test phase is timed inside the fork (benchmarks/src/cold-suite's PhaseClock:
# first test's start to last test's end, and traced until the last JSON report is on disk), so
# Maven's start-up is not part of it. Prints (traced - plain) / 500 per round: min, median, max.
# Usage: benchmarks/cold-suite.sh [--quick] [--keep DIR] [--traced-jvm-args ARGS] [--compare-with REF]
#   --quick            3 rounds instead of 5 (about a minute and a half)
#   --keep             leave the generated projects and timings in DIR
#   --compare-with     also run the traced suite against the KernelTrace of git commit REF (built
#                      from `git archive REF`), in the same rounds: a before/after in one run
#   --traced-jvm-args  extra options for the traced test JVMs, e.g. a profiler:
#                      '-agentpath:/path/libasyncProfiler.so=start,event=wall,interval=500us,threads,file=/tmp/cold.txt,collapsed'
# Installs the modules into the local Maven repository first (set MAVEN_OPTS=-Dmaven.repo.local=...
# to keep them out of ~/.m2), unless KERNELTRACE_INSTALLED=1 says run.sh just did; Maven runs
# offline with KERNELTRACE_OFFLINE=1. Needs root.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=5 classes=25 methods=20 keep= traced_jvm_args= reference=
while (($#)); do
	case $1 in
	--quick) rounds=3 ;;
	--keep) keep=$2; shift ;;
	--traced-jvm-args) traced_jvm_args=$2; shift ;;
	--compare-with) reference=$2; shift ;;
	*) echo "usage: benchmarks/cold-suite.sh [--quick] [--keep DIR] [--traced-jvm-args ARGS] [--compare-with REF]" >&2; exit 2 ;;
	esac
	shift
done
tests=$((classes * methods))
mvn=(mvn -q -B -ntp)
if [[ ${KERNELTRACE_OFFLINE:-} == 1 ]]; then mvn+=(-o); fi

if [[ -n $keep ]]; then
	rm -rf "$keep" && mkdir -p "$keep" && work=$(cd "$keep" && pwd)
else
	work=$(mktemp -d) && trap 'rm -rf "$work"' EXIT
fi
if [[ ${KERNELTRACE_INSTALLED:-} != 1 ]]; then
	"${mvn[@]}" install -DskipTests
fi
version=$(sed -n 's:^  <version>\(.*\)</version>$:\1:p' pom.xml)
variants=(plain traced) reference_jars=
if [[ -n $reference ]]; then
	mkdir -p "$work/reference-source"
	git archive "$reference" | tar -x -C "$work/reference-source"
	"${mvn[@]}" -f "$work/reference-source/pom.xml" package -DskipTests -pl extension -am
	built_jar() { find "$work/reference-source/$1/target" -maxdepth 1 -name '*.jar' ! -name '*-sources.jar' ! -name '*-javadoc.jar'; }
	reference_jars="$(built_jar probes),$(built_jar extension)"
	variants+=(reference)
fi
for variant in "${variants[@]}"; do
	jars=(); if [[ $variant == reference ]]; then jars=("$reference_jars"); fi
	java -cp benchmarks/target/classes io.github.kerneltrace.benchmarks.ColdSuiteGenerator \
		benchmarks/src/cold-suite "$work/$variant" "$variant" "$classes" "$methods" "$version" "${jars[@]}"
	"${mvn[@]}" -f "$work/$variant/pom.xml" test-compile
done

mkdir -p "$work/rounds"
for round in $(seq "$rounds"); do
	for variant in "${variants[@]}"; do
		project=$work/$variant
		rm -rf "$project/target/kerneltrace" "$project/target/cold-work" "$project/target/surefire-reports" \
			"$project/target/phase-clock.properties"
		# surefire:test alone: compiled once above, so each round is one fresh test JVM and no build
		log=$work/rounds/$variant-$round.log
		if [[ $variant != plain ]]; then
			settings=(-Dcoldsuite.reports="$tests" -Dcoldsuite.argLine="$traced_jvm_args")
		else
			settings=(-Dcoldsuite.reports=0)
		fi
		if ! "${mvn[@]}" -f "$project/pom.xml" surefire:test -Dkerneltrace.require=true "${settings[@]}" >"$log" 2>&1; then
			tail -n 60 "$log" >&2
			echo "cold suite: the $variant run of round $round failed (log above, whole in $log with --keep)" >&2
			exit 1
		fi
		cp "$project/target/phase-clock.properties" "$work/rounds/$variant-$round.properties"
	done
done
java -cp benchmarks/target/classes io.github.kerneltrace.benchmarks.ColdSuiteRounds "$work/rounds" "$rounds" "$tests" \
	"${variants[@]:1}"
if [[ ${KERNELTRACE_INSTALLED:-} != 1 ]]; then
	# the warm figure beside it (run.sh prints it itself): one JVM, 4,000 warm-up tests, no Surefire
	"${mvn[@]}" -f benchmarks/pom.xml dependency:build-classpath -Dmdep.outputFile="$work/cp.txt"
	java -cp "benchmarks/target/classes:$(cat "$work/cp.txt")" io.github.kerneltrace.benchmarks.TestOverhead
fi
