using CniDashboard.Shared.Cni;
using CniDashboard.Shared.Dashboard;

namespace CniDashboard.Client.Model;

/// <summary>How the runtime treats one folder entry, said in a line.</summary>
public enum FileStanding
{
    /// <summary>The file the runtime loads.</summary>
    Primary,
    /// <summary>A config the runtime would load, but an earlier file wins.</summary>
    Shadowed,
    /// <summary>A config name that does not load.</summary>
    Invalid,
    /// <summary>Not a name the runtime loads (kubeconfig, backup, directory…).</summary>
    Ignored,
}

/// <summary>Explains folder entries on the node page: primary marked, ignored files explained.</summary>
public static class FileRoleText
{
    /// <summary>Where the entry stands.</summary>
    public static FileStanding StandingOf(NodeFileView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        if (view.IsPrimary)
        {
            return FileStanding.Primary;
        }

        if (view.LoadError is not null || view.File.LoadError is not null)
        {
            return FileStanding.Invalid;
        }

        return view.IgnoredReason is null && view.File.Kind == CniFileKind.Config && !view.File.IsDirectory
            ? FileStanding.Shadowed
            : FileStanding.Ignored;
    }

    /// <summary>The short label of a standing.</summary>
    public static string Label(FileStanding standing) => standing switch
    {
        FileStanding.Primary => "Primary",
        FileStanding.Shadowed => "Not used",
        FileStanding.Invalid => "Does not load",
        _ => "Ignored",
    };

    /// <summary>The sentence beside the file.</summary>
    public static string Explain(NodeFileView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        var error = view.LoadError ?? view.File.LoadError;
        return StandingOf(view) switch
        {
            FileStanding.Primary => "The container runtime loads this file: its plugins run for every new pod.",
            FileStanding.Invalid => view.IsPrimary
                ? $"Primary but does not load: {error}"
                : $"Does not load: {error}",
            FileStanding.Shadowed => Sentence(view.IgnoredReason)
                ?? "A valid config, but a file earlier in lexical order is loaded instead.",
            _ => Sentence(view.IgnoredReason) ?? DefaultIgnoredReason(view.File),
        };
    }

    // The analyzer's reasons are phrases ("a kubeconfig read by a plugin, …"); beside a file they stand as sentences.
    private static string? Sentence(string? reason) =>
        string.IsNullOrEmpty(reason) || !char.IsLower(reason[0])
            ? reason
            : string.Concat(char.ToUpperInvariant(reason[0]).ToString(), reason.AsSpan(1));

    /// <summary>Why the file's content is not shown, when it is not.</summary>
    public static string? OmissionText(CniFolderFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        return file.ContentOmitted switch
        {
            ContentOmission.TooLarge => $"Content not shown: {file.Size:N0} bytes is over the agent's size cap.",
            ContentOmission.Binary => "Content not shown: not UTF-8 text.",
            ContentOmission.SymlinkOutsideFolder => $"Content not read: the link points outside the folder ({file.SymlinkTarget}).",
            ContentOmission.Unreadable => "Content not shown: the agent could not read the file.",
            ContentOmission.Directory => "A directory: the runtime skips it.",
            ContentOmission.SpecialFile => $"Not a regular file ({SpecialKindText(file.SpecialKind)}): the agent never opens it.",
            ContentOmission.HardLinked => $"Content not read: the file has {file.LinkCount} hard links, and another name of it may be any file on the node.",
            _ => null,
        };
    }

    private static string SpecialKindText(SpecialFileKind? kind) => kind switch
    {
        SpecialFileKind.Fifo => "a named pipe",
        SpecialFileKind.Socket => "a socket",
        SpecialFileKind.CharacterDevice => "a character device",
        SpecialFileKind.BlockDevice => "a block device",
        _ => "a special file",
    };

    private static string DefaultIgnoredReason(CniFolderFile file)
    {
        if (file.IsDirectory)
        {
            return "A directory: the runtime skips it.";
        }

        return file.Kind == CniFileKind.Kubeconfig
            ? "A kubeconfig read by a plugin, not a network config: the runtime does not load it."
            : "The runtime only loads .conf, .conflist and .json files.";
    }
}
