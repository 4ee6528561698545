using System.Buffers;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace DeepImpression.Train.Serving;

/// <summary>
/// Streams the file of a <c>multipart/form-data</c> request into an <see cref="Upload"/>, counting bytes against the
/// limit as they arrive (nothing is buffered in memory or in ASP.NET's own temporary files). The first file field
/// is the video (the page names it <c>video</c>); other fields are skipped.
/// </summary>
internal static class UploadReceiver
{
    /// <summary>The form field the page sends the video in.</summary>
    public const string FieldName = "video";

    /// <summary>Room for the multipart envelope (boundaries, part headers, small fields) beyond the file itself.</summary>
    public const long EnvelopeBytes = 64 * 1024;

    /// <summary>Writes the upload's file and returns its size in bytes; every problem is a <see cref="RequestRejectedException"/>.</summary>
    public static async Task<long> ReceiveAsync(HttpRequest request, Upload upload, long maxBytes, CancellationToken cancellation)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var type)
            || !type.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
            throw new RequestRejectedException(StatusCodes.Status415UnsupportedMediaType,
                $"Send the video as multipart/form-data, in a file field named '{FieldName}'.");
        string? boundary = HeaderUtilities.RemoveQuotes(type.Boundary).Value;
        if (string.IsNullOrEmpty(boundary) || boundary.Length > 200)
            throw new RequestRejectedException(StatusCodes.Status400BadRequest, "The multipart upload has no valid boundary.");
        if (request.ContentLength > maxBytes + EnvelopeBytes) throw TooLarge(maxBytes);

        var reader = new MultipartReader(boundary, request.Body) { HeadersLengthLimit = 16 * 1024, HeadersCountLimit = 16 };
        try
        {
            while (await reader.ReadNextSectionAsync(cancellation).ConfigureAwait(false) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition) || !disposition.IsFileDisposition())
                    continue;
                long size = await CopyAsync(section.Body, upload, maxBytes, cancellation).ConfigureAwait(false);
                if (size == 0) throw new RequestRejectedException(StatusCodes.Status400BadRequest, "The uploaded file is empty.");
                return size;
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw TooLarge(maxBytes);
        }
        catch (Exception e) when (e is InvalidDataException or IOException && !cancellation.IsCancellationRequested)
        {
            throw new RequestRejectedException(StatusCodes.Status400BadRequest, "The multipart upload is malformed or ends before its closing boundary.");
        }
        throw new RequestRejectedException(StatusCodes.Status400BadRequest, $"The upload holds no file: send the video in a file field named '{FieldName}'.");
    }

    /// <summary>The answer to an upload over the limit.</summary>
    public static RequestRejectedException TooLarge(long maxBytes) =>
        new(StatusCodes.Status413PayloadTooLarge, $"The file is larger than the {Megabytes(maxBytes)} limit. Upload a shorter clip (about 15 s is enough).");

    /// <summary><paramref name="bytes"/> as people read sizes (decimal megabytes).</summary>
    public static string Megabytes(long bytes) => FormattableString.Invariant($"{bytes / 1e6:0.##} MB");

    private static async Task<long> CopyAsync(Stream body, Upload upload, long maxBytes, CancellationToken cancellation)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(81920);
        try
        {
            await using var file = upload.Create();
            long total = 0;
            int n;
            while ((n = await body.ReadAsync(buffer, cancellation).ConfigureAwait(false)) > 0)
            {
                total += n;
                if (total > maxBytes) throw TooLarge(maxBytes);
                await file.WriteAsync(buffer.AsMemory(0, n), cancellation).ConfigureAwait(false);
            }
            return total;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
