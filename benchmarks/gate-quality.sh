#!/usr/bin/env bash
# Gate quality: how often the baseline gate fires on the sample project when nothing changed (false
# alarms), and how often it catches an injected regression. Results: docs/gate-quality.md.
#
# Records a baseline of the sample's deterministic traced tests into a temporary directory, then
# runs those tests N times against it, each run a fresh JVM under Surefire:
#   (a) unchanged                          -> runs with any baseline regression: false alarms
#   (b) -Dsample.regression=oneMoreCall    -> runs where Rolling's test regressed with exactly the
#                                             line syscalls.newfstatat.count 0 -> 1: caught
# Runs are counted from the per-test JSON reports (target/kerneltrace/*.json, "baseline" block),
# not from the console.
#
# With --latency, the statistical rule for times instead, on SegmentLogCommitDelayTest (ten
# repetitions of 20 commit pauses of 2 ms; the baseline keeps the ten p90 futex latencies):
#   (c) unchanged                          -> runs where the p90 regressed: false alarms
#   (d) -Dsample.regression=slowSync       -> runs where the p90 regressed (pauses of 4 ms): caught
#
# Usage: benchmarks/gate-quality.sh [--runs N] [--keep DIR] [--latency]
#   --runs N     runs per case (default 20); a run of the deterministic tests takes 15-40 s
#   --keep DIR   keep the baseline and every run's reports in DIR (default: a temporary directory)
#   --latency    measure the latency gate ((c) and (d)) instead of the count gate ((a) and (b))
# Set MAVEN_OPTS=-Dmaven.repo.local=... to keep the build out of ~/.m2; Maven runs offline (-o)
# when KERNELTRACE_OFFLINE=1. Needs root (or CAP_BPF and CAP_PERFMON), libbpf1 and jq.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=20 keep= latency=
while (($#)); do
	case $1 in
	--runs) runs=$2; shift ;;
	--keep) keep=$2; shift ;;
	--latency) latency=1 ;;
	*) echo "usage: benchmarks/gate-quality.sh [--runs N] [--keep DIR] [--latency]" >&2; exit 2 ;;
	esac
	shift
done
command -v jq >/dev/null || { echo "gate-quality.sh needs jq (Debian/Ubuntu: apt-get install jq)" >&2; exit 2; }
mvn=(mvn -q -B -ntp)
if [[ ${KERNELTRACE_OFFLINE:-} == 1 ]]; then mvn+=(-o); fi
if [[ -n $keep ]]; then
	rm -rf "$keep" && mkdir -p "$keep" && work=$(cd "$keep" && pwd)
else
	work=$(mktemp -d) && trap 'rm -rf "$work"' EXIT
fi

# The sample's traced tests whose counts are deterministic on a warm path (the functional tests and
# the latency test SegmentLogCommitDelayTest are left out).
deterministic_tests='SegmentLogKernelBudgetTest*,KeyValueStoreKernelBudgetTest*,KeyValueStoreSchedulerBudgetTest*,SegmentLogMemoryBudgetTest'
reports=sample-project/target/kerneltrace

# Runs the tests once, in a fresh JVM, against (or recording) the baseline in $work/baseline; keeps
# the per-test JSON in $work/<name>. Test failures are expected (a caught regression fails its test).
run_tests() {
	local name=$1 tests=$2; shift 2
	rm -rf "$reports" sample-project/target/surefire-reports
	"${mvn[@]}" -pl sample-project surefire:test -Dtest="$tests" -Dsurefire.failIfNoSpecifiedTests=false \
		-Dkerneltrace.require=true -Dkerneltrace.baselineDir="$work/baseline" "$@" >"$work/$name.log" 2>&1 || true
	mkdir -p "$work/$name" && cp "$reports"/*.json "$work/$name/" 2>/dev/null || true
	cp -r sample-project/target/surefire-reports "$work/$name/surefire-reports" 2>/dev/null || true
	local written; written=$(find "$work/$name" -name '*.json' | wc -l)
	if ((written == 0)); then echo "run $name wrote no reports; see $work/$name.log" >&2; exit 1; fi
}

# Prints one line per test whose baseline comparison regressed: "<class>.<method>: <regression lines>".
regressions_in() {
	jq -r 'select(.baseline.status == "regressed")
		| "\(.test.className).\(.test.methodName): \([.baseline.regressions[].text] | join("; "))"' "$1"/*.json
}

# (a) unchanged code: a run with any regression is a false alarm.
case_unchanged() {
	local run=$1 found
	run_tests "unchanged-$run" "$deterministic_tests"
	found=$(regressions_in "$work/unchanged-$run")
	if [[ -n $found ]]; then
		((false_alarms += 1))
		echo "  run $run: FALSE ALARM"; echo "$found" | sed 's/^/    /'
	else
		echo "  run $run: no regression"
	fi
}

# (b) one more system call in one test: caught when that test, and only that test, regressed with
# exactly the expected line (runs where other tests regressed too are counted apart).
expected='Rolling.rollingSealsTheOldSegmentAndSyncsTheDirectory: syscalls.newfstatat.count: 0 → 1 (+1, exact)'

case_one_more_call() {
	local run=$1 found
	run_tests "oneMoreCall-$run" "$deterministic_tests" -Dsample.regression=oneMoreCall
	found=$(regressions_in "$work/oneMoreCall-$run")
	if [[ $found == *"$expected" && $(wc -l <<<"$found") == 1 ]]; then
		((caught += 1))
		echo "  run $run: caught"
	else
		if [[ $found == *"$expected"* ]]; then ((caught_among_others += 1)); fi
		echo "  run $run: NOT CAUGHT as expected"; echo "${found:-    (no regression)}" | sed 's/^/    /'
	fi
}

# Runs whose Surefire XML has a failure that is not a baseline regression (a limit, an assertion).
other_failures() {
	local count=0 dir
	for dir in "$work"/*/surefire-reports; do
		if grep -h '<failure message=' "$dir"/TEST-*.xml 2>/dev/null | grep -q -v 'KernelTrace baseline regressions'; then
			((count += 1))
		fi
	done
	echo "$count runs"
}

# (c) and (d): the latency gate. A run "fired" when the commit delay's p90 futex latency regressed;
# any other regression is printed and counted apart.
latency_test='SegmentLogCommitDelayTest'
latency_metric='syscalls.futex.latencyNanos.p90'

latency_fired() {
	jq -r --arg metric "$latency_metric" 'select(.baseline.status == "regressed")
		| .baseline.regressions[] | select(.metric == $metric) | .text' "$1"/*.json
}

other_regressions() {
	jq -r --arg metric "$latency_metric" 'select(.baseline.status == "regressed")
		| .baseline.regressions[] | select(.metric != $metric) | .text' "$1"/*.json
}

case_latency() {
	local name=$1 run=$2 fired others; shift 2
	run_tests "$name-$run" "$latency_test" "$@"
	fired=$(latency_fired "$work/$name-$run")
	others=$(other_regressions "$work/$name-$run")
	if [[ -n $fired ]]; then ((fires += 1)); fi
	if [[ -n $others ]]; then ((other_alarms += 1)); fi
	echo "  run $run: ${fired:-p90 not regressed}${others:+; other regressions: $others}"
}

if [[ -n $latency ]]; then
	started=$SECONDS
	echo "Building the sample and the modules it needs (once)"
	"${mvn[@]}" -pl sample-project -am install -DskipTests >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
	echo "Recording the baseline of $latency_test into $work/baseline"
	run_tests record "$latency_test" -Dkerneltrace.baseline=update
	grep -h "$latency_metric" "$work"/baseline/*.baseline | sed 's/^/  /'
	fires=0 other_alarms=0
	echo "(c) unchanged, $runs runs"
	for ((run = 1; run <= runs; run++)); do case_latency unchanged "$run"; done
	false_alarms=$fires unchanged_others=$other_alarms
	fires=0 other_alarms=0
	echo "(d) -Dsample.regression=slowSync, $runs runs"
	for ((run = 1; run <= runs; run++)); do case_latency slowSync "$run" -Dsample.regression=slowSync; done
	echo
	echo "False alarms ($latency_metric, unchanged code): $false_alarms of $runs runs"
	echo "Caught (pauses 2x longer):                        $fires of $runs runs"
	echo "Runs with a regression of another metric: $unchanged_others unchanged, $other_alarms slowSync"
	echo "Test failures other than baseline regressions (limits, assertions): $(other_failures) (Surefire XML in the kept runs)"
	echo "Wall time: $((SECONDS - started)) s for $((2 * runs + 1)) runs and the build; $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
	exit 0
fi

started=$SECONDS
echo "Building the sample and the modules it needs (once)"
"${mvn[@]}" -pl sample-project -am install -DskipTests >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
echo "Recording the baseline of $deterministic_tests into $work/baseline"
run_tests record "$deterministic_tests" -Dkerneltrace.baseline=update
echo "  $(cat "$work"/baseline/*.baseline | grep -c ' :: ') entries in $(ls "$work"/baseline | wc -l) files"

false_alarms=0 caught=0 caught_among_others=0
echo "(a) unchanged, $runs runs"
for ((run = 1; run <= runs; run++)); do case_unchanged "$run"; done
echo "(b) -Dsample.regression=oneMoreCall, $runs runs"
for ((run = 1; run <= runs; run++)); do case_one_more_call "$run"; done

echo
echo "False alarms (unchanged code): $false_alarms of $runs runs"
echo "Caught (+1 system call):       $caught of $runs runs (and $caught_among_others more with other tests regressed too)"
echo "Test failures other than baseline regressions (limits, assertions): $(other_failures) (Surefire XML in the kept runs)"
echo "Wall time: $((SECONDS - started)) s for $((2 * runs + 1)) runs and the build; $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
