package io.github.kerneltrace.probes.metrics;

import java.util.List;
import java.util.stream.Stream;

/**
 * Work a test's threads handed to threads of the JVM that existed before the test: a thread
 * pool's workers, virtual threads' carriers. The kernel sees the hand-off as a wake-up from a futex
 * call (an unpark); HotSpot's own threads (JIT, GC, VM thread) are not counted as such.
 *
 * @param borrowedThreads   threads that were followed: they counted for the test from the first
 *                          such wake-up to the end of the test
 * @param borrowedWakeUps   wake-ups of those threads by the test's threads: the hand-offs
 * @param borrowedNames     their kernel names (at most the first 15 bytes of the Java name), as far as still known
 * @param uncountedThreads  threads that were woken but not followed (scope THREAD, or following
 *                          turned off): work the test handed to them is not in its counts
 * @param uncountedNames    their kernel names
 * @param foreignWakers     threads not counted for the test that woke one of its threads from a
 *                          futex wait: often the reply to work done there for the test, which is then
 *                          missing from its counts (a pool thread still busy with another test's
 *                          work, or one that took the task without being woken); but also JUnit's
 *                          own workers signalling each other in a parallel run, so not proof
 * @param foreignNames      their kernel names
 * @param runnerHandOffs    JUnit's parallel-execution workers the test's threads woke from a futex
 *                          call or started while counting: never counted, as they run other tests.
 *                          Work the test forked into JUnit's pool (a parallel stream started on a
 *                          JUnit worker) ran there and is missing from its counts; a test that blocks
 *                          also makes JUnit put a worker to work in its place, which looks the same
 * @param besideOtherTests  whether other traced tests counted at the same time: threads shared with
 *                          them (a pool) may have counted one test's work for the other, or for none
 */
public record HandOffs(long borrowedThreads, long borrowedWakeUps, List<String> borrowedNames,
                       long uncountedThreads, List<String> uncountedNames, long foreignWakers, List<String> foreignNames,
                       long runnerHandOffs, boolean besideOtherTests) {

    public static final HandOffs NONE = new HandOffs(0, 0, List.of(), 0, List.of(), 0, List.of(), 0, false);

    public HandOffs {
        borrowedNames = List.copyOf(borrowedNames);
        uncountedNames = List.copyOf(uncountedNames);
        foreignNames = List.copyOf(foreignNames);
    }

    /** Whether the test's threads handed work to threads that are not counted. */
    public boolean uncounted() {
        return uncountedThreads > 0;
    }

    /** One sentence for reports on threads that worked for the test uncounted; empty when none did. */
    public String describeUncounted() {
        if (!uncounted()) {
            return "";
        }
        return "work was handed to " + uncountedThreads + (uncountedThreads == 1 ? " thread" : " threads")
                + " not counted" + names(uncountedNames);
    }

    /**
     * Whether the counts may be misattributed between concurrent tests: work went to or came from
     * threads outside the test while other traced tests ran.
     */
    public boolean sharedWithConcurrentTests() {
        return besideOtherTests && (borrowedThreads > 0 || foreignWakers > 0);
    }

    /** One sentence for reports when {@link #sharedWithConcurrentTests()}; empty otherwise. */
    public String describeSharing() {
        if (!sharedWithConcurrentTests()) {
            return "";
        }
        return "pool threads worked for this test while other traced tests ran: they may have counted one test's"
                + " work for another, or for none (give concurrent tests their own pools)";
    }

    /** One sentence for reports on threads not counted that woke the test's threads; empty when none did. */
    public String describeForeignWakers() {
        if (foreignWakers == 0) {
            return "";
        }
        return "the test's threads were woken by " + foreignWakers + (foreignWakers == 1 ? " thread" : " threads")
                + " not counted" + names(foreignNames) + ": work they did for the test would be missing";
    }

    /**
     * The sentences that apply, for reports: threads followed, threads not counted, wakers not
     * counted, sharing with concurrent tests. Empty when none applies.
     */
    public List<String> notes() {
        return Stream.of(describeBorrowed(), describeUncounted(), describeForeignWakers(), describeRunnerHandOffs(),
                        describeSharing())
                .filter(note -> !note.isEmpty()).toList();
    }

    /** One sentence for reports on JUnit's workers put to work by the test's threads; empty when none were. */
    public String describeRunnerHandOffs() {
        if (runnerHandOffs == 0) {
            return "";
        }
        return "the test's threads put " + runnerHandOffs + " of JUnit's parallel workers to work, which are never counted:"
                + " work the test forked into JUnit's pool (a parallel stream, ForkJoinTask.fork()) is missing from its"
                + " counts; give that work a pool of its own (a test that blocks also makes JUnit wake a worker, harmlessly)";
    }

    /** One sentence for reports on threads followed; empty when none were. */
    public String describeBorrowed() {
        if (borrowedThreads == 0) {
            return "";
        }
        return "counted work handed to " + borrowedThreads + (borrowedThreads == 1 ? " thread" : " threads")
                + " that existed before the test" + names(borrowedNames);
    }

    private static String names(List<String> names) {
        if (names.isEmpty()) {
            return "";
        }
        List<String> shown = names.size() > 3 ? names.subList(0, 3) : names;
        return " (" + String.join(", ", shown) + (names.size() > 3 ? ", …" : "") + ")";
    }
}
