package io.github.kerneltrace.junit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;


/**
 * A test's own flight recording keeps the events of the test's threads in its window and leaves
 * out the pauses, with real writes on real threads: the test's, one it starts, and one that
 * existed before and is not the test's.
 */
class TestRecordingTest {

    @TempDir
    Path directory;

    @Test
    void thePausesAreLeftOutAsTheKernelLeavesThemOut() throws Exception {
        TestRecording recording = new TestRecording(Set.of(Profile.WRITES), Scope.THREAD);
        recording.start();
        write("before", 3);
        recording.pause();
        write("paused", 5);
        recording.resume();
        write("after", 2);
        recording.stop();
        write("later", 7);
        recording.close();

        assertThat(writes(recording)).isEqualTo(3 + 2);
    }

    @Test
    void scopeTestKeepsTheThreadsTheTestStartsAndNoOtherThread() throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        CountDownLatch written = new CountDownLatch(1);
        Thread existing = new Thread(() -> {
            await(go);
            write("existing", 4);
            written.countDown();
        });
        existing.start();

        TestRecording test = new TestRecording(Set.of(Profile.WRITES), Scope.TEST);
        TestRecording thread = new TestRecording(Set.of(Profile.WRITES), Scope.THREAD);
        test.start();
        thread.start();
        write("own", 1);
        go.countDown();
        Thread child = new Thread(() -> write("child", 6));
        child.start();
        child.join();
        written.await();
        test.stop();
        thread.stop();
        test.close();
        thread.close();
        existing.join();

        assertThat(writes(test)).isEqualTo(1 + 6);
        assertThat(writes(thread)).isEqualTo(1);
    }

    /** The writes among the events (the recording also keeps the thread starts it follows threads by). */
    private static long writes(TestRecording recording) {
        return recording.events().stream().filter(event -> event.getEventType().getName().equals("jdk.FileWrite")).count();
    }

    private void write(String name, int times) {
        try (FileOutputStream out = new FileOutputStream(directory.resolve(name).toFile())) {
            for (int i = 0; i < times; i++) {
                out.write('x');
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

}
