/// backplan's version (`backplan --version`); generated scripts check that the plan's library was
/// written by the same version.
public enum BackplanVersion {
    public static let current = "0.1.0"
}
