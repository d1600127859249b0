package dev.jtorch.io;

import java.util.Map;
import java.util.Set;

/**
 * Globals that run code when Python's pickle resolves or calls them: what malicious model files
 * use to start a shell, fetch a payload or evaluate a string ({@code os.system},
 * {@code builtins.eval}, {@code subprocess.Popen}, {@code runpy._run_code}, ...). jtorch never
 * calls anything, so it is safe from them itself; it refuses them anyway, even where it would
 * describe an unknown class, because a file naming one is an attack on whoever loads it in
 * Python next, and {@link PickleScanner} reports them. The list follows what the Python
 * scanners (picklescan, modelscan) flag, written down here from the modules' own documentation.
 */
final class DangerousGlobals {
    private DangerousGlobals() {}

    /** Modules (and their submodules) whose every global is refused: process, file system, network, code loading. */
    private static final Set<String> MODULES = Set.of(
            "os", "posix", "nt", "subprocess", "sys", "socket", "shutil", "importlib", "runpy", "pty",
            "webbrowser", "code", "codeop", "pickle", "_pickle", "cPickle", "marshal", "ctypes", "multiprocessing",
            "commands", "popen2", "pdb", "bdb", "timeit", "asyncio", "signal", "threading", "_thread",
            "httplib", "http", "urllib", "urllib2", "requests", "aiohttp", "ftplib", "smtplib", "telnetlib",
            "venv", "pip", "ensurepip", "zipimport", "pkgutil", "imp", "io", "_io", "tempfile",
            "dill", "joblib", "cloudpickle", "torch.hub", "torch._inductor", "torch.utils.cpp_extension",
            "socketserver", "xmlrpc", "dbm", "shelve", "_socket", "_multiprocessing",
            // Python 2 names that protocol 0-2 pickles may use; Python's _compat_pickle maps them
            // to the modules above before importing.
            "thread", "cookielib", "Cookie", "robotparser",
            "BaseHTTPServer", "SimpleHTTPServer", "CGIHTTPServer", "SocketServer", "DocXMLRPCServer",
            "SimpleXMLRPCServer", "xmlrpclib", "anydbm", "dbhash", "dumbdbm", "gdbm", "whichdb");

    /** Single globals of otherwise harmless modules that evaluate, import, open or fetch. */
    private static final Map<String, Set<String>> NAMES = Map.of(
            "builtins", Set.of("eval", "exec", "execfile", "compile", "getattr", "setattr", "delattr", "__import__",
                    "open", "breakpoint", "input", "globals", "locals", "vars", "apply", "raw_input", "reload", "file"),
            "operator", Set.of("attrgetter", "methodcaller", "itemgetter"),
            "pydoc", Set.of("pipepager", "pager", "tempfilepager", "locate"),
            "numpy.testing._private.utils", Set.of("runstring"),
            "torch.serialization", Set.of("load", "_load"),
            "torch", Set.of("load"),
            "types", Set.of("CodeType", "FunctionType"));

    /**
     * Whether {@code g} (module already mapped from Python 2 names) is one that runs code. A dotted
     * name counts as such: from protocol 4 on, Python resolves {@code torch} / {@code os.system}
     * attribute by attribute, so through any module's imports it can reach anything.
     */
    static boolean runsCode(PyGlobal g) {
        if (g.name().indexOf('.') >= 0) return true;
        String module = g.module();
        for (int dot = module.length(); dot > 0; dot = module.lastIndexOf('.', dot - 1)) {
            if (MODULES.contains(module.substring(0, dot))) return true;
        }
        Set<String> names = NAMES.get(module);
        return names != null && names.contains(g.name());
    }
}
