using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace FedTrust.Actors.Cluster;

/// <summary>
/// Checks that a node's port is free before anything is started or written. Akka.Remote binds its port with
/// SO_REUSEADDR, which on Linux also sets SO_REUSEPORT: a second server on the same port would bind beside the first,
/// and workers would be spread between them by chance. The probe binds without SO_REUSEPORT (but with SO_REUSEADDR on
/// Unix, so connections of an earlier run still in TIME_WAIT do not count), so any listener on the port refuses it.
/// (Two nodes started in the same instant can still both pass the probe; Akka's own bind failure is unwrapped by
/// <see cref="IsAddressInUse"/>.)
/// </summary>
public static class PortProbe
{
    /// <summary>Throws <see cref="Runs.SimulationException"/> naming the port when something listens on <paramref name="hostname"/>:<paramref name="port"/>.</summary>
    public static void EnsureFree(string hostname, int port)
    {
        if (port == 0) return;
        IPAddress? address;
        if (!IPAddress.TryParse(hostname, out address))
        {
            try
            {
                address = Dns.GetHostAddresses(hostname).FirstOrDefault();
            }
            catch (SocketException)
            {
                return; // Akka names an unresolvable host when it binds
            }
            if (address is null) return;
        }
        using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        if (OperatingSystem.IsLinux()) socket.SetRawSocketOption(1, 2, BitConverter.GetBytes(1)); // SOL_SOCKET, SO_REUSEADDR
        else if (OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD()) socket.SetRawSocketOption(0xffff, 4, BitConverter.GetBytes(1));
        try
        {
            socket.Bind(new IPEndPoint(address, port));
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            throw new Runs.SimulationException(ClusterNotices.PortInUse(hostname, port));
        }
        catch (SocketException)
        {
            // Not this machine's address, or a privileged port: Akka says so when it binds.
        }
    }

    /// <summary>Whether <paramref name="error"/> (an actor system that failed to start) comes from a port in use.</summary>
    public static bool IsAddressInUse(Exception error)
    {
        var pending = new Stack<Exception>([error]);
        while (pending.TryPop(out var e))
        {
            if (e is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse }
                || e.Message.Contains("Address already in use", StringComparison.OrdinalIgnoreCase)
                || (e is SocketException s && RuntimeInformation.IsOSPlatform(OSPlatform.Windows) && s.ErrorCode == 10048))
                return true;
            if (e is AggregateException aggregate)
                foreach (var inner in aggregate.InnerExceptions) pending.Push(inner);
            else if (e.InnerException is { } inner) pending.Push(inner);
        }
        return false;
    }
}
