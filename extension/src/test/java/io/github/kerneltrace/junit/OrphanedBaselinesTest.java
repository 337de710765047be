package io.github.kerneltrace.junit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A baseline file whose class was renamed away is named at the end of the run; one whose class exists is not. */
class OrphanedBaselinesTest {

    @TempDir
    Path directory;

    @Test
    void aBaselineWhoseClassIsGoneIsNamedWithWhatToDo() throws IOException {
        Files.writeString(directory.resolve(BaselineTest.class.getName() + "$Baselined.baseline"), "");
        Files.writeString(directory.resolve("com.example.RenamedAwayTest.baseline"), "");
        Files.writeString(directory.resolve("notes.txt"), "");

        assertThat(OrphanedBaselines.warnings(directory, getClass().getClassLoader())).containsExactly("[kerneltrace] "
                + directory.resolve("com.example.RenamedAwayTest.baseline") + ": no class com.example.RenamedAwayTest on"
                + " the test class path (renamed or removed?), so nothing compares with this baseline; rename the file"
                + " with its class, or delete it");
    }

    @Test
    void noDirectoryNoWarning() {
        assertThat(OrphanedBaselines.warnings(directory.resolve("absent"), getClass().getClassLoader())).isEmpty();
    }
}
