// The agent runs on Linux nodes; its tests use modes, symlinks, inotify and /proc.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
