package dev.jtorch.tests;

import dev.jtorch.DType;
import dev.jtorch.Tensor;
import dev.jtorch.cli.Main;
import dev.jtorch.io.Checkpoints;
import dev.jtorch.io.PthWriter;
import dev.jtorch.io.SafeTensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.jtorch.tests.CheckpointWriteTest.tensor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code jtorch inspect} and {@code jtorch convert}: output format, conversions, the error line. */
class CheckpointCliTest {
    @TempDir
    Path dir;

    record Run(int status, String out, String err) {}

    static Run jtorch(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int status = Main.execute(new PrintWriter(out), new PrintWriter(err), args);
        return new Run(status, out.toString().replace("\r\n", "\n"), err.toString().replace("\r\n", "\n"));
    }

    @Test
    void inspectListsNestedTensorsInFileOrder() throws IOException {
        Path p = dir.resolve("checkpoint.pth");
        PthWriter.save(CheckpointWriteTest.checkpointDict(), p);
        Run r = jtorch("inspect", p.toString());
        assertEquals(0, r.status, r.err);
        assertEquals("""
                model_state_dict.fc.weight\tfloat32\t[2, 3]
                model_state_dict.fc.bias\tfloat32\t[2]
                optimizer_state_dict.state.0.step\tfloat32\t[]
                optimizer_state_dict.state.0.exp_avg\tfloat32\t[2, 3]
                4 tensors, 15 elements, 60 bytes
                """, r.out);
        assertEquals("", r.err);
    }

    @Test
    void aWholePickledModelGetsANotePerGlobalOutsideTheWeightsOnlyList() throws Exception {
        Path p = CheckpointReadTest.dir().resolve("model_sequential_zip.pth");
        Run r = jtorch("inspect", p.toString());
        assertEquals(0, r.status, r.err);
        List<String> notes = r.err.lines().toList();
        assertTrue(notes.contains("note: " + p + " names torch.nn.modules.container.Sequential, outside PyTorch's"
                + " weights-only allowlist (torch.load(weights_only=True) refuses it; jtorch only describes it)"), r.err);
        assertEquals(notes.size(), notes.stream().distinct().count(), "once per global: " + r.err);
        assertTrue(notes.stream().allMatch(l -> l.startsWith("note: ")), r.err);

        Run c = jtorch("convert", p.toString(), dir.resolve("out.safetensors").toString());
        assertEquals(0, c.status, c.err);
        assertTrue(c.err.contains("names torch.nn.modules.container.Sequential"), c.err);
    }

    @Test
    void inspectSafetensorsShowsEveryDType() throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (var e : CheckpointWriteTest.everyDType().entrySet()) tensors.put(e.getKey(), (Tensor) e.getValue());
        Path p = dir.resolve("all.safetensors");
        SafeTensors.save(tensors, p);
        Run r = jtorch("inspect", p.toString());
        assertEquals(0, r.status, r.err);
        assertEquals("""
                f32\tfloat32\t[2, 3]
                f64\tfloat64\t[3]
                f16\tfloat16\t[3, 2]
                bf16\tbfloat16\t[2, 2]
                i64\tint64\t[4]
                i32\tint32\t[3, 1]
                i16\tint16\t[2]
                i8\tint8\t[3]
                u8\tuint8\t[3]
                bool\tbool\t[2, 2]
                10 tensors, 38 elements, 126 bytes
                """, r.out);
    }

    @Test
    void badFileIsOneErrorLineAndStatusOne() throws IOException {
        Path p = dir.resolve("garbage.pth");
        Files.write(p, new byte[]{'P', 'K', 3, 4, 1, 2, 3});
        Run r = jtorch("inspect", p.toString());
        assertEquals(1, r.status);
        assertEquals("", r.out);
        assertTrue(r.err.startsWith("error: "), r.err);
        assertEquals(1, r.err.lines().count(), r.err);

        Run missing = jtorch("inspect", dir.resolve("nope.pth").toString());
        assertEquals(1, missing.status);
        assertEquals("error: " + dir.resolve("nope.pth") + ": no such file\n", missing.err);

        Path st = dir.resolve("bad.safetensors");
        Files.write(st, new byte[]{1, 2});
        Run badSt = jtorch("inspect", st.toString());
        assertEquals(1, badSt.status);
        assertEquals("error: " + st + ": file is 2 bytes, shorter than the 8-byte header length\n", badSt.err);

        for (String[] args : List.of(new String[]{"--debug", "inspect", p.toString()}, new String[]{"inspect", "--debug", p.toString()})) {
            Run debug = jtorch(args);
            assertEquals(1, debug.status);
            assertTrue(debug.err.lines().count() > 3, "--debug prints the stack trace: " + debug.err);
            assertTrue(debug.err.contains("\tat "), debug.err);
        }
    }

    @Test
    void convertPthToSafetensorsAndBack() throws IOException {
        Path pth = dir.resolve("checkpoint.pth");
        PthWriter.save(CheckpointWriteTest.checkpointDict(), pth);
        Path st = dir.resolve("checkpoint.safetensors");
        Run r = jtorch("convert", pth.toString(), st.toString());
        assertEquals(0, r.status, r.err);
        assertEquals("wrote " + st + ": 4 tensors\n", r.out);
        assertTrue(r.err.startsWith("warning: safetensors holds tensors only; dropped "), r.err);
        assertTrue(r.err.contains("epoch, "), r.err);

        Map<String, Tensor> tensors = SafeTensors.load(st);
        assertEquals(List.of("model_state_dict.fc.weight", "model_state_dict.fc.bias", "optimizer_state_dict.state.0.step",
                "optimizer_state_dict.state.0.exp_avg"), new ArrayList<>(tensors.keySet()));
        assertArrayEquals(new float[]{1, 2, 3, 4, 5, 6}, tensors.get("model_state_dict.fc.weight").toFloatArray());

        Path back = dir.resolve("back.pt");
        Run r2 = jtorch("convert", st.toString(), back.toString());
        assertEquals(0, r2.status, r2.err);
        Map<String, Tensor> sd = Checkpoints.loadStateDict(back);
        assertEquals(new ArrayList<>(tensors.keySet()), new ArrayList<>(sd.keySet()));
        assertArrayEquals(new float[]{0.5f, -0.5f}, sd.get("model_state_dict.fc.bias").toFloatArray());

        // .pth -> .pth keeps the whole checkpoint, not only its tensors.
        Path copy = dir.resolve("copy.pth");
        assertEquals(0, jtorch("convert", pth.toString(), copy.toString()).status);
        CheckpointWriteTest.assertSameValue(Checkpoints.load(pth), Checkpoints.load(copy), "");
    }

    @Test
    void convertRefusesAnUnknownOutputExtension() throws IOException {
        Path pth = dir.resolve("x.pth");
        PthWriter.save(Map.of("w", tensor(DType.FLOAT32, new float[]{1}, 1)), pth);
        Run r = jtorch("convert", pth.toString(), dir.resolve("x.onnx").toString());
        assertEquals(1, r.status);
        assertTrue(r.err.startsWith("error: ") && r.err.contains("cannot tell the output format"), r.err);
        assertFalse(Files.exists(dir.resolve("x.onnx")));
    }
}
