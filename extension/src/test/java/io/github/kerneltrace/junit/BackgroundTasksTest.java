package io.github.kerneltrace.junit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

/** The report writer's thread: every task runs, in order, whether it is woken or finds the task itself. */
class BackgroundTasksTest {

    @Test
    void runsEveryTaskInOrderFromManyThreadsAndAwaitsThem() throws Exception {
        BackgroundTasks tasks = new BackgroundTasks("test-background-tasks");
        List<Integer> ran = new CopyOnWriteArrayList<>();
        Thread[] submitters = new Thread[4];
        for (int s = 0; s < submitters.length; s++) {
            int first = s * 10_000;
            submitters[s] = new Thread(() -> IntStream.range(first, first + 10_000).forEach(i -> tasks.execute(() -> ran.add(i))));
            submitters[s].start();
        }
        for (Thread submitter : submitters) {
            submitter.join();
        }

        assertThat(tasks.awaitQueued(30_000)).isTrue();

        assertThat(ran).hasSize(40_000);
        for (int s = 0; s < submitters.length; s++) {
            int first = s * 10_000;
            // each submitter's tasks in the order it submitted them
            assertThat(ran.stream().filter(i -> i >= first && i < first + 10_000).toList())
                    .isEqualTo(IntStream.range(first, first + 10_000).boxed().toList());
        }
    }

    @Test
    void aTaskAfterAnIdleSpellRunsWithoutAnyoneAwaitingIt() throws Exception {
        BackgroundTasks tasks = new BackgroundTasks("test-background-tasks");
        for (int spell = 0; spell < 3; spell++) {
            // longer than a batch interval: the thread has parked with no deadline
            Thread.sleep(TimeUnit.NANOSECONDS.toMillis(BackgroundTasks.BATCH_NANOS) * 3);
            CountDownLatch ran = new CountDownLatch(1);
            tasks.execute(ran::countDown);
            assertThat(ran.await(10, TimeUnit.SECONDS)).as("task after idle spell %d ran", spell).isTrue();
        }
    }

    @Test
    void aFailingTaskDoesNotStopTheOnesAfterIt() throws Exception {
        BackgroundTasks tasks = new BackgroundTasks("test-background-tasks");
        List<String> ran = new CopyOnWriteArrayList<>();
        tasks.execute(() -> ran.add("before"));
        tasks.execute(() -> {
            throw new IllegalStateException("a report that cannot be rendered");
        });
        tasks.execute(() -> ran.add("after"));

        assertThat(tasks.awaitQueued(30_000)).isTrue();

        assertThat(ran).containsExactly("before", "after");
    }
}
