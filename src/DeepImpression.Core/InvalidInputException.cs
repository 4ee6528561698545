namespace DeepImpression.Core;

/// <summary>
/// Bad input from outside the program (a file, a label, a shape): the message is one line that names the
/// file or argument and the problem, fit to show a user as it is, with no stack trace.
/// </summary>
public class InvalidInputException : Exception
{
    /// <summary>Bad input described by <paramref name="message"/>: one line naming the file or argument and the problem.</summary>
    public InvalidInputException(string message) : base(message) { }
    /// <summary>Bad input described by <paramref name="message"/>, found through <paramref name="inner"/> (e.g. an I/O or format error).</summary>
    public InvalidInputException(string message, Exception inner) : base(message, inner) { }
}
